"""Django project configuration: settings, URLs and the WSGI entry point."""
