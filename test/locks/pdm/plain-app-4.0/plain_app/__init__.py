"""plain_app fixture application."""
