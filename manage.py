#!/usr/bin/env python
import os
import sys

# Engines that read a file and print a result: they start without the application's apps and
# database (see config/cli_settings.py). The app that holds each command's module:
STANDALONE_COMMANDS = {"spc_analyze": "qms", "jssp_solve": "scheduling"}


def main():
    if len(sys.argv) > 1 and sys.argv[1] in STANDALONE_COMMANDS:
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.cli_settings"
        import django
        from django.core.management import load_command_class

        django.setup()
        load_command_class(STANDALONE_COMMANDS[sys.argv[1]], sys.argv[1]).run_from_argv(sys.argv)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
