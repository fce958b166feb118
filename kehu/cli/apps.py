from django.apps import AppConfig


class CliConfig(AppConfig):
    """Operator commands: quickstart, demo, serve, …"""

    name = "kehu.cli"
    label = "cli"
