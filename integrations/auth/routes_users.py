"""Users (admin), the signed-in user's own profile, preferences and devices, API keys, roles."""

from __future__ import annotations

import io
from typing import Any

import orjson
from PIL import Image, UnidentifiedImageError
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from core.request_data import BadRequest, NotFound, json_body
from core.responses import FastJSONResponse, error_response
from core.scope import IntegrationScope
from integrations.auth import schemas
from integrations.auth.passwords import password_problem
from integrations.auth.service import AuthService
from integrations.auth.users import UserError, public_user
from plugin_sdk.auth import Principal, principal_of

MAX_IMAGE_BYTES = 1 << 20


def _caller(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # the guard ran
    return principal


class UserRoutes:
    def __init__(self, scope: IntegrationScope, service: AuthService) -> None:
        self.scope = scope
        self.service = service
        self.users = service.users

    def register(self) -> None:
        http = self.scope.http
        admin = {"permission": "manage_users"}
        for path, handler, methods, access in (
            ("/api/v1/users/me", self.me, ["GET"], {}),
            ("/api/v1/users/me/preferences", self.put_preferences, ["PUT"], {}),
            ("/api/v1/users/me/password", self.change_password, ["POST"], {}),
            ("/api/v1/users/me/devices", self.my_devices, ["GET"], {}),
            ("/api/v1/users/me/devices/{device_id}", self.revoke_my_device, ["DELETE"], {}),
            ("/api/v1/users/me/image", self.put_image, ["PUT"], {}),
            ("/api/v1/users/{user_id}/image", self.get_image, ["GET"], {"token_in_query": True}),
            ("/api/v1/users", self.list_users, ["GET"], admin),
            ("/api/v1/users", self.create_user, ["POST"], admin),
            ("/api/v1/users/{user_id}", self.get_user, ["GET"], admin),
            ("/api/v1/users/{user_id}", self.update_user, ["PUT"], admin),
            ("/api/v1/users/{user_id}", self.delete_user, ["DELETE"], admin),
            ("/api/v1/users/{user_id}/2fa/reset", self.reset_2fa, ["POST"], admin),
            ("/api/v1/users/{user_id}/devices", self.user_devices, ["GET"], admin),
            ("/api/v1/users/{user_id}/devices/{device_id}", self.revoke_user_device, ["DELETE"], admin),
            ("/api/v1/roles", self.list_roles, ["GET"], admin),
            ("/api/v1/roles/{name}", self.put_role, ["PUT"], admin),
            ("/api/v1/api-keys", self.list_keys, ["GET"], {"permission": "manage_server"}),
            ("/api/v1/api-keys", self.create_key, ["POST"], {"permission": "manage_server"}),
            ("/api/v1/api-keys/{key_id}", self.revoke_key, ["DELETE"], {"permission": "manage_server"}),
        ):
            http.register_route(path, handler, methods=methods, **access)

    async def _user(self, user_id: str) -> dict[str, Any]:
        user = await self.users.get(user_id)
        if user is None:
            raise NotFound(f"No user '{user_id}'")
        return user

    # -- me --------------------------------------------------------------------------------------------

    async def me(self, request: Request) -> Response:
        principal = _caller(request)
        user = await self._user(principal.user_id)
        return FastJSONResponse(
            {**public_user(user), "permissions": sorted(principal.permissions),
             "preferences": orjson.loads(user["preferences"]), "device_id": principal.device_id}
        )  # fmt: skip

    async def put_preferences(self, request: Request) -> Response:
        user = await self._user(_caller(request).user_id)
        changes = await json_body(request, schemas.PREFERENCES, "preferences")
        preferences = {**orjson.loads(user["preferences"]), **changes}
        await self.users.update(user["id"], preferences=orjson.dumps(preferences).decode())
        return FastJSONResponse(preferences)

    async def change_password(self, request: Request) -> Response:
        user = await self._user(_caller(request).user_id)
        body = await json_body(request, schemas.CHANGE_PASSWORD)
        if user["provider"] != "auth_local":
            return error_response(409, f"This account signs in through {user['provider']}; change it there")
        if not await self.scope.run_in_executor(
            self.service.passwords.verify, user["password_hash"], body["old_password"]
        ):
            return error_response(403, "The current password is not correct")
        await self._set_password(user["id"], body["new_password"])
        return Response(status_code=204)

    async def _set_password(self, user_id: str, password: str) -> None:
        problem = password_problem(password)
        if problem:
            raise BadRequest("Invalid password", [problem])
        hashed = await self.scope.run_in_executor(self.service.passwords.hash, password)
        await self.users.update(user_id, password_hash=hashed)

    async def my_devices(self, request: Request) -> Response:
        return FastJSONResponse(await self.service.devices.of_user(_caller(request).user_id))

    async def revoke_my_device(self, request: Request) -> Response:
        return await self._revoke(_caller(request).user_id, request.path_params["device_id"])

    async def _revoke(self, user_id: str, device_id: str) -> Response:
        device = await self.service.devices.get(device_id)
        if device is None or device["user_id"] != user_id:
            raise NotFound(f"No device '{device_id}'")  # another user's device looks exactly like a missing one
        await self.service.revoke_device(device_id)
        return Response(status_code=204)

    async def put_image(self, request: Request) -> Response:
        data = await request.body()
        if len(data) > MAX_IMAGE_BYTES:
            return error_response(413, f"Profile images are limited to {MAX_IMAGE_BYTES} bytes")
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.thumbnail((512, 512))
                output = io.BytesIO()
                image.convert("RGB").save(output, "JPEG", quality=88)
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
            raise BadRequest("The body is not an image Marquee can read (PNG, JPEG, WebP, GIF)") from None
        principal = _caller(request)
        path = self.scope.data_dir / "user-images" / f"{principal.user_id}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(output.getvalue())
        await self.users.update(principal.user_id, image_path=str(path))
        return Response(status_code=204)

    async def get_image(self, request: Request) -> Response:
        user = await self._user(request.path_params["user_id"])
        if not user["image_path"]:
            raise NotFound("This user has no profile image")
        return FileResponse(
            user["image_path"], media_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"}
        )

    # -- admin -----------------------------------------------------------------------------------------

    async def list_users(self, request: Request) -> Response:
        return FastJSONResponse([public_user(user) for user in await self.users.list()])

    async def create_user(self, request: Request) -> Response:
        body = await json_body(request, schemas.NEW_USER)
        problem = password_problem(body["password"])
        if problem:
            raise BadRequest("Invalid request body", [problem])
        hashed = await self.scope.run_in_executor(self.service.passwords.hash, body["password"])
        try:
            user = await self.users.create(
                body["username"], provider="auth_local", role=body["role"], password_hash=hashed,
                display_name=body.get("display_name"),
            )  # fmt: skip
        except UserError as err:
            raise BadRequest(str(err)) from None
        await self._apply_access(user["id"], body)
        return FastJSONResponse(public_user(await self._user(user["id"])), status_code=201)

    async def _apply_access(self, user_id: str, body: dict[str, Any]) -> None:
        values: dict[str, Any] = {}
        if "library_access" in body:
            access = body["library_access"]
            values["library_access"] = orjson.dumps(None if access == "all" else sorted(set(access))).decode()
        if "max_parental_rating" in body:
            values["max_parental_rating"] = body["max_parental_rating"]
        if "block_unrated" in body:
            values["block_unrated"] = int(body["block_unrated"])
        await self.users.update(user_id, **values)

    async def get_user(self, request: Request) -> Response:
        return FastJSONResponse(public_user(await self._user(request.path_params["user_id"])))

    async def update_user(self, request: Request) -> Response:
        user = await self._user(request.path_params["user_id"])
        body = await json_body(request, schemas.USER_UPDATE)
        caller = _caller(request)
        losing_admin = user["role"] == "admin" and (body.get("role", "admin") != "admin" or body.get("disabled"))
        if losing_admin and await self.users.admins_left(excluding=user["id"]) == 0:
            return error_response(409, "This is the last active admin; make someone else admin first")
        values: dict[str, Any] = {}
        if "username" in body and body["username"].casefold() != user["username_key"]:
            if await self.users.by_username(body["username"]):
                return error_response(409, f"User '{body['username']}' already exists")
            values.update(username=body["username"], username_key=body["username"].casefold())
        if "display_name" in body:
            values["display_name"] = body["display_name"]
        if "role" in body:
            if not await self.users.role_permissions(body["role"]) and body["role"] not in ("user", "admin"):
                raise BadRequest(f"Unknown role '{body['role']}'")
            values["role"] = body["role"]
        if "disabled" in body:
            if body["disabled"] and user["id"] == caller.user_id:
                return error_response(409, "You can't disable your own account")
            values["disabled"] = int(body["disabled"])
        await self.users.update(user["id"], **values)
        await self._apply_access(user["id"], body)
        if "password" in body:
            await self._set_password(user["id"], body["password"])
        self.service.invalidate()
        return FastJSONResponse(public_user(await self._user(user["id"])))

    async def delete_user(self, request: Request) -> Response:
        user = await self._user(request.path_params["user_id"])
        if user["id"] == _caller(request).user_id:
            return error_response(409, "You can't delete your own account")
        if user["role"] == "admin" and await self.users.admins_left(excluding=user["id"]) == 0:
            return error_response(409, "This is the last active admin")
        await self.users.delete(user["id"])
        self.service.invalidate()
        return Response(status_code=204)

    async def reset_2fa(self, request: Request) -> Response:
        user = await self._user(request.path_params["user_id"])
        await self.users.update(user["id"], totp_enabled=0, totp_secret=None, totp_last_counter=None)
        await self.service.recovery.clear(user["id"])
        return Response(status_code=204)

    async def user_devices(self, request: Request) -> Response:
        user = await self._user(request.path_params["user_id"])
        return FastJSONResponse(await self.service.devices.of_user(user["id"]))

    async def revoke_user_device(self, request: Request) -> Response:
        return await self._revoke(request.path_params["user_id"], request.path_params["device_id"])

    async def list_roles(self, request: Request) -> Response:
        return FastJSONResponse(await self.users.roles())

    async def put_role(self, request: Request) -> Response:
        body = await json_body(request, schemas.ROLE)
        try:
            await self.users.save_role(request.path_params["name"], body["permissions"])
        except UserError as err:
            raise BadRequest(str(err)) from None
        self.service.invalidate()
        return FastJSONResponse({"name": request.path_params["name"], "permissions": sorted(body["permissions"])})

    async def list_keys(self, request: Request) -> Response:
        return FastJSONResponse(await self.service.api_keys.list())

    async def create_key(self, request: Request) -> Response:
        body = await json_body(request, schemas.API_KEY)
        key_id, key = await self.service.api_keys.create(
            body["name"], body["scope"], body["permissions"], _caller(request).user_id
        )
        return FastJSONResponse({"id": key_id, "key": key, "note": "Shown once; store it now."}, status_code=201)

    async def revoke_key(self, request: Request) -> Response:
        if not await self.service.api_keys.revoke(request.path_params["key_id"]):
            raise NotFound(f"No active API key '{request.path_params['key_id']}'")
        self.service.invalidate()
        return Response(status_code=204)
