"""Project templates used by ``smsguard new-plugin`` (package data, read with importlib.resources)."""
