"""The Django admin is for administrators (superusers) only.

Its model admins give whole-table rights with no notion of whose programme a row belongs to,
so a facilitator with staff status could change another programme's facilitators, read
another programme's answers or redirect a partner's e-mails. Facilitators work in the app,
which checks every change against their programme; the admin refuses everyone but
superusers, whatever their staff status or permissions."""

from django.contrib import admin


class AdministratorsAdminSite(admin.AdminSite):
    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_superuser
