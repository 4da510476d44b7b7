#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A udev monitor client that misbehaves, through the real libudev.

usage: uevent_client.py idle SECONDS   open a monitor and never read it
       uevent_client.py churn SECONDS  open and close monitors in a loop
Prints "ready" once its first monitor is receiving."""
import ctypes
import sys
import time

udev_lib = ctypes.CDLL("libudev.so.1")
udev_lib.udev_new.restype = ctypes.c_void_p
udev_lib.udev_monitor_new_from_netlink.restype = ctypes.c_void_p
udev_lib.udev_monitor_new_from_netlink.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
udev_lib.udev_monitor_enable_receiving.argtypes = [ctypes.c_void_p]
udev_lib.udev_monitor_unref.argtypes = [ctypes.c_void_p]


def monitor(udev):
    m = udev_lib.udev_monitor_new_from_netlink(udev, b"udev")
    if not m or udev_lib.udev_monitor_enable_receiving(m) != 0:
        sys.exit("uevent_client: cannot open a udev monitor")
    return m


mode, secs = sys.argv[1], float(sys.argv[2])
udev = udev_lib.udev_new()
end = time.monotonic() + secs
m = monitor(udev)
print("ready", flush=True)
if mode == "idle":
    time.sleep(secs)
    sys.exit(0)
n = 0
while time.monotonic() < end:
    udev_lib.udev_monitor_unref(m)
    m = monitor(udev)
    n += 1
print(f"churned {n} monitors", flush=True)
