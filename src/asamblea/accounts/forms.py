"""Forms parse and bound the input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from asamblea.accounts import rules, services
from asamblea.accounts.models import PSEUDONYM_VALIDATOR, Member
from asamblea.core.errors import DomainError
from asamblea.core.validation import ControlCharactersFormMixin, TextForm


class LoginForm(TextForm):
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=services.MAX_PASSWORD_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class JoinForm(TextForm):
    code = forms.CharField(
        label=_("Invitation code"),
        max_length=rules.MAX_TYPED_CODE_LENGTH,
        help_text=_("The code your committee gave you, for example 7KQM-3WXD-PH9R-T2CE."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=40,
        validators=[PSEUDONYM_VALIDATOR],
        help_text=_(
            "The name others will see. Do not use your real name if that puts you at risk."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=services.MAX_PASSWORD_LENGTH,
        strip=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        max_length=services.MAX_PASSWORD_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"), required=False, max_length=services.MAX_EMAIL_LENGTH
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=services.MAX_PHONE_LENGTH,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("password")
            and data.get("password_again") is not None
            and data["password"] != data["password_again"]
        ):
            self.add_error("password_again", _("The two passwords do not match."))
        return data


class PasswordChangeForm(TextForm):
    old_password = forms.CharField(
        label=_("Current password"),
        max_length=services.MAX_PASSWORD_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=services.MAX_PASSWORD_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        max_length=services.MAX_PASSWORD_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("new_password")
            and data.get("new_password_again") is not None
            and data["new_password"] != data["new_password_again"]
        ):
            self.add_error("new_password_again", _("The two passwords do not match."))
        return data


class LanguageForm(TextForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class ContactForm(TextForm):
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        max_length=services.MAX_EMAIL_LENGTH,
        help_text=_("Leave empty to remove it."),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        required=False,
        max_length=services.MAX_PHONE_LENGTH,
        help_text=_("Leave empty to remove it."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


class TokenForm(TextForm):
    name = forms.CharField(
        label=_("Token name"),
        max_length=services.MAX_TOKEN_NAME_LENGTH,
        help_text=_("What the token is for, e.g. 'phone app'."),
    )


class RefusedAdminLoginForm(ControlCharactersFormMixin, AdminAuthenticationForm):
    """The admin's sign-in form, refused with ``refusal`` without checking the
    password (the attempt limit is reached)."""

    def __init__(self, request: HttpRequest, *, data: Any, refusal: str) -> None:
        super().__init__(request, data=data)
        self.refusal = refusal

    def clean(self) -> dict[str, Any]:
        raise ValidationError(self.refusal, code="rate_limited")


class NewPasswordForm(TextForm):
    """A new password typed twice (the service checks its strength)."""

    new_password = forms.CharField(
        label=_("New password"),
        max_length=services.MAX_PASSWORD_LENGTH,
        strip=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        max_length=services.MAX_PASSWORD_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("new_password")
            and data.get("new_password_again") is not None
            and data["new_password"] != data["new_password_again"]
        ):
            self.add_error("new_password_again", _("The two passwords do not match."))
        return data


class ResetCodeForm(NewPasswordForm):
    """A member's pseudonym, the reset code their secretary gave them, and a new password."""

    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    code = forms.CharField(
        label=_("Reset code"),
        max_length=rules.MAX_TYPED_CODE_LENGTH,
        help_text=_("The code your secretary gave you, for example 7KQM-3WXD-PH9R-T2CE."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    field_order = ("pseudonym", "code", "new_password", "new_password_again")


class EmailResetRequestForm(TextForm, PasswordResetForm):
    """The address a member gave on their profile (Django's reset form: it
    sends the link only to active members with that address, and says the
    same whether or not one exists)."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class EmailSetPasswordForm(NewPasswordForm):
    """The new password, on the page the e-mailed link opens. Django's
    ``PasswordResetConfirmView`` passes the member first; ``save`` sets the
    password through the service that audits it."""

    def __init__(self, user: Member, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        password = data.get("new_password")
        if password and not self.errors:
            try:
                services.check_new_password(member=self.user, new_password=password)
            except DomainError as exc:
                self.add_error("new_password", str(exc.message))
        return data

    def save(self, commit: bool = True) -> Member:
        services.reset_password_by_email(
            member=self.user, new_password=self.cleaned_data["new_password"]
        )
        return self.user
