"""Signing in and out: first admin, login, refresh, logout, two-factor enrolment."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core.request_data import BadRequest, json_body
from core.responses import FastJSONResponse, error_response
from core.scope import IntegrationScope
from integrations.auth import schemas
from integrations.auth.credentials import client_ip
from integrations.auth.passwords import password_problem
from integrations.auth.service import AuthService, Client, LoginFailed
from integrations.auth.tokens import TokenError
from integrations.auth.totp import accepted_counter, new_secret, provisioning
from integrations.auth.users import UserError, public_user
from plugin_sdk.auth import principal_of


class SessionRoutes:
    def __init__(self, scope: IntegrationScope, service: AuthService) -> None:
        self.scope = scope
        self.service = service
        self._first_admin = asyncio.Lock()

    def register(self) -> None:
        http = self.scope.http
        http.register_route("/api/v1/auth/setup", self.setup_state, methods=["GET"], public=True)
        http.register_route("/api/v1/auth/first-admin", self.first_admin, methods=["POST"], public=True)
        http.register_route("/api/v1/auth/login", self.login, methods=["POST"], public=True)
        http.register_route("/api/v1/auth/refresh", self.refresh, methods=["POST"], public=True)
        http.register_route("/api/v1/auth/logout", self.logout, methods=["POST"])
        http.register_route("/api/v1/auth/2fa/enroll", self.enroll, methods=["POST"])
        http.register_route("/api/v1/auth/2fa/confirm", self.confirm, methods=["POST"])
        http.register_route("/api/v1/auth/2fa", self.disable_2fa, methods=["DELETE"])

    async def setup_state(self, request: Request) -> Response:
        return FastJSONResponse({"first_admin_required": await self.service.users.count() == 0})

    async def first_admin(self, request: Request) -> Response:
        """Accepted exactly once: while the server has no users at all."""
        body = await json_body(request, schemas.FIRST_ADMIN)
        problem = password_problem(body["password"])
        if problem:
            raise BadRequest("Invalid request body", [problem])
        async with self._first_admin:
            if await self.service.users.count() > 0:
                return error_response(409, "The first admin already exists; sign in instead")
            try:
                user = await self.service.users.create(
                    body["username"], provider="auth_local", role="admin",
                    password_hash=await self.scope.run_in_executor(self.service.passwords.hash, body["password"]),
                )  # fmt: skip
            except UserError as err:
                raise BadRequest(str(err)) from None
        return FastJSONResponse(public_user(user), status_code=201)

    async def login(self, request: Request) -> Response:
        body = await json_body(request, schemas.LOGIN)
        client = Client(
            ip=client_ip(request),
            device_key=body.get("device_id") or request.headers.get("x-device-id"),
            device_name=body.get("device_name"),
            client=body.get("client") or request.headers.get("user-agent", "")[:100],
            version=body.get("client_version"),
        )
        try:
            session = await self.service.login(body["username"], body["password"], client, body.get("code"))
        except LoginFailed as err:
            headers = {"Retry-After": str(err.extra["retry_after"])} if "retry_after" in err.extra else None
            return error_response(err.status, err.message, headers=headers, **err.extra)
        user = await self.service.users.get(session["user_id"])
        assert user is not None
        return FastJSONResponse({**session, "user": public_user(user)})

    async def refresh(self, request: Request) -> Response:
        body = await json_body(request, schemas.REFRESH)
        try:
            return FastJSONResponse(await self.service.refresh(body["refresh_token"]))
        except TokenError as err:
            return error_response(401, str(err))

    async def logout(self, request: Request) -> Response:
        principal = principal_of(request)
        assert principal is not None
        if principal.device_id is None:
            return error_response(400, "API keys are revoked by an admin, not signed out")
        await self.service.revoke_device(principal.device_id)
        return Response(status_code=204)

    async def enroll(self, request: Request) -> Response:
        user = await self._me(request)
        if user["totp_enabled"]:
            return error_response(409, "Two-factor sign-in is already on; turn it off first")
        secret = new_secret()
        await self.service.users.update(user["id"], totp_secret=secret, totp_last_counter=None)
        return FastJSONResponse(provisioning(secret, user["username"], self.service.config["issuer"]))

    async def confirm(self, request: Request) -> Response:
        user = await self._me(request)
        body = await json_body(request, schemas.CODE)
        if not user["totp_secret"] or user["totp_enabled"]:
            return error_response(409, "Start enrolment first (POST /api/v1/auth/2fa/enroll)")
        counter = accepted_counter(user["totp_secret"], body["code"], None)
        if counter is None:
            return error_response(400, "That code is not valid; check the authenticator's clock")
        await self.service.users.update(user["id"], totp_enabled=1, totp_last_counter=counter)
        codes = await self.service.recovery.replace(user["id"])
        return FastJSONResponse({"enabled": True, "recovery_codes": codes})

    async def disable_2fa(self, request: Request) -> Response:
        user = await self._me(request)
        body = await json_body(request, schemas.PASSWORD_ONLY)
        if not await self.scope.run_in_executor(self.service.passwords.verify, user["password_hash"], body["password"]):
            return error_response(403, "Password is not correct")
        await self.service.users.update(user["id"], totp_enabled=0, totp_secret=None, totp_last_counter=None)
        await self.service.recovery.clear(user["id"])
        return Response(status_code=204)

    async def _me(self, request: Request) -> dict[str, Any]:
        principal = principal_of(request)
        assert principal is not None
        user = await self.service.users.get(principal.user_id)
        assert user is not None
        return user
