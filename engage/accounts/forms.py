from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SubmitField

from ..bilingual import BilingualField
from ..forms import Form
from ..validators import Email, EqualTo, MaxLength, Required


class SignInForm(Form):
    email = EmailField(_l("Email address"), validators=[
        Required(_l("Enter your email address")), MaxLength(254),
        Email()])
    password = PasswordField(_l("Password"), validators=[Required(_l("Enter your password")), MaxLength(200)])
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[Required(_l("Enter your current password")), MaxLength(200)])
    new = PasswordField(_l("New password"), description=_l("At least 12 characters. A few unrelated words are easy to remember and hard to guess."),
                        validators=[Required(_l("Enter a new password")), MaxLength(200)])
    confirm = PasswordField(_l("Confirm new password"), validators=[
        Required(_l("Enter the new password again")),
        EqualTo("new", _l("The two new passwords do not match"))])
    submit = SubmitField(_l("Change password"))


class OrgSettingsForm(Form):
    name = BilingualField(_l("Name of the organisation"), max_length=200)
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        ok = super().validate(extra_validators)
        return self.name.require() and ok
