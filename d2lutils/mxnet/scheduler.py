"""MXNet's parameter-server scheduler through MXNet's C API: ``python path/to/scheduler.py``.

The scheduler of a parameter server is only a rendezvous: every node tells it
its address, and it tells every node the others' and holds the barriers.  With
``DMLC_ROLE=scheduler``, ``import mxnet`` would do that too, after 3 s of CPU
spent building MXNet's Python operator functions, which a scheduler never
calls.  This script loads ``libmxnet.so`` and makes the two C calls that
``mxnet/kvstore/kvstore_server.py`` makes: create a ``'dist'`` KVStore (which
joins the cluster in the role that ``DMLC_ROLE`` names) and run it until all
nodes finish.  It is run as a file, not with ``-m``, so that not even the
``d2lutils`` package is imported.
"""
import ctypes
import importlib.util
import os
import sys


def main():
    if os.environ.get("DMLC_ROLE") != "scheduler":
        sys.exit(f"DMLC_ROLE must be 'scheduler', got {os.environ.get('DMLC_ROLE')!r}")
    folder = importlib.util.find_spec("mxnet").submodule_search_locations[0]   # not imported
    lib = ctypes.CDLL(os.path.join(folder, "libmxnet.so"), ctypes.RTLD_LOCAL)
    lib.MXGetLastError.restype = ctypes.c_char_p
    handle = ctypes.c_void_p()
    if lib.MXKVStoreCreate(b"dist", ctypes.byref(handle)) != 0:
        sys.exit(lib.MXGetLastError().decode())
    controller = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)(
        lambda *_: None)                  # commands go to servers; a scheduler gets none
    if lib.MXKVStoreRunServer(handle, controller, None) != 0:
        sys.exit(lib.MXGetLastError().decode())


if __name__ == "__main__":
    main()
