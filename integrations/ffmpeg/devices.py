"""Hardware device nodes the hardware transcoders look for (no device is opened here, only listed)."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil

from .probe import reap

DRI_DIR = "/dev/dri"
NVIDIA_DEVICE = "/dev/nvidia0"


def render_nodes(dri_dir: str = DRI_DIR) -> list[str]:
    """/dev/dri/renderD128, renderD129...: the DRM render nodes VAAPI and QSV use, in number order."""
    nodes = glob.glob(os.path.join(glob.escape(dri_dir), "renderD*"))

    def number(path: str) -> int:
        digits = os.path.basename(path)[len("renderD") :]
        return int(digits) if digits.isdigit() else 1 << 30

    return sorted(nodes, key=lambda path: (number(path), path))


async def nvidia_present(device: str = NVIDIA_DEVICE, smi: str = "nvidia-smi", timeout: float = 10.0) -> bool:
    """An NVIDIA GPU is visible: its device node exists, or `nvidia-smi -L` lists one."""
    if await asyncio.to_thread(os.path.exists, device):
        return True
    executable = await asyncio.to_thread(shutil.which, smi)
    if executable is None:
        return False
    try:
        process = await asyncio.create_subprocess_exec(
            executable,
            "-L",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError:
        return False
    try:
        stdout, _ = await asyncio.wait_for(process.communicate(), timeout)
    except BaseException as err:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await reap(process)
        if isinstance(err, TimeoutError):
            return False
        raise
    return process.returncode == 0 and b"GPU" in stdout
