"""extras_app fixture application."""
