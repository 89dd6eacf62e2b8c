"""A directory for Python workers' PYTHONPATH; its ``sitecustomize`` installs the hooks.

Not meant to be imported as a package: it is a package only so that it ships in
the wheel.
"""
