import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection

USERNAME = "editor"


class Command(BaseCommand):
    help = "Create a local demo editor account (embedded SQLite quick start only)."

    def handle(self, *args, **options):
        if connection.vendor != "sqlite":
            self.stdout.write("Demo editor not created: this is not the embedded quick start.")
            return
        User = get_user_model()
        if User.objects.filter(username=USERNAME).exists():
            self.stdout.write(
                f"Admin login: user '{USERNAME}' (password printed when it was created; "
                "reset it with: make editor-password)"
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(USERNAME, password=password, is_staff=True)
        editors = Group.objects.filter(name="Editors").first()
        if editors:
            user.groups.add(editors)
        else:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin login: user '{USERNAME}', password '{password}' (shown only this once)"
            )
        )
