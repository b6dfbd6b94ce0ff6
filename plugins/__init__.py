"""smsguard's built-in detector plugins, one module each, registered through the ``smsguard`` entry points."""
