from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.fields import ColorField

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
    """Name, logo and colours; the colours' rules (format, contrast) are the service's (brand.py)."""

    name = BilingualField(_l("Name of the organisation"), max_length=200)
    logo = FileField(_l("Logo"), description=_l("A PNG, JPEG or WebP file, up to 10 MB. A PNG with a transparent "
                                                "background looks best. It is shown with your organisation’s name."))
    remove_logo = BooleanField(_l("Remove the logo"))
    brand_colour = ColorField(_l("Brand colour"), description=_l(
        "For the band with your name and logo, and for buttons, on your organisation’s pages. White text goes on "
        "it, so it must be dark enough: a contrast of at least 4.5:1."))
    link_colour = ColorField(_l("Link colour"), description=_l(
        "For links on your organisation’s pages. It must have a contrast of at least 4.5:1 on white and on light "
        "grey."))
    submit = SubmitField(_l("Save"))
    standard_colours = SubmitField(_l("Use Engage’s standard colours"))

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        ok = super().validate(extra_validators)
        return self.name.require() and ok


NEW_PASSWORD_HINT = _l("At least 12 characters. A few unrelated words are easy to remember and hard to guess.")
ROLE_CHOICES = [SelectChoice("organiser", _l("Organiser: runs events, the door, funds and “you said, we did”")),
                SelectChoice("admin", _l("Administrator: also manages staff, publishes results and the organisation’s settings"))]
EMAIL_LANG_CHOICES = [SelectChoice("both", _l("Welsh and English")), SelectChoice("cy", _l("Welsh")),
                      SelectChoice("en", _l("English"))]


class InviteForm(Form):
    email = EmailField(_l("Email address"), validators=[Required(_l("Enter their email address")), MaxLength(254), Email()])
    role = RadioField(_l("Role"), choices=ROLE_CHOICES, default="organiser",
                      validators=[Required(_l("Choose a role"))])
    lang = RadioField(_l("Language of the invitation email"), choices=EMAIL_LANG_CHOICES, default="both",
                      validators=[Required(_l("Choose a language"))])
    submit = SubmitField(_l("Send invitation"))


class RoleForm(Form):
    role = SelectField(_l("Role"), choices=[SelectChoice("organiser", _l("Organiser")),
                                                  SelectChoice("admin", _l("Administrator"))])
    submit = SubmitField(_l("Change role"))


class ConfirmForm(Form):
    submit = SubmitField(_l("Confirm"))


class AcceptNewForm(Form):
    name = StringField(_l("Your name"), validators=[Required(_l("Enter your name")), MaxLength(120)])
    password = PasswordField(_l("Choose a password"), description=NEW_PASSWORD_HINT,
                             validators=[Required(_l("Enter a password")), MaxLength(200)])
    confirm = PasswordField(_l("Confirm the password"), validators=[
        Required(_l("Enter the password again")), EqualTo("password", _l("The two passwords do not match"))])
    submit = SubmitField(_l("Create my account"))


class AcceptExistingForm(Form):
    current_password = PasswordField(_l("Your password"), description=_l("You already have an Engage account with this email address: enter its password to join."),
                                     validators=[Required(_l("Enter your password")), MaxLength(200)])
    submit = SubmitField(_l("Join"))


class ForgotForm(Form):
    email = EmailField(_l("Email address"), validators=[Required(_l("Enter your email address")), MaxLength(254), Email()])
    submit = SubmitField(_l("Send me a link"))


class ResetForm(Form):
    new = PasswordField(_l("New password"), description=NEW_PASSWORD_HINT,
                        validators=[Required(_l("Enter a new password")), MaxLength(200)])
    confirm = PasswordField(_l("Confirm new password"), validators=[
        Required(_l("Enter the new password again")), EqualTo("new", _l("The two new passwords do not match"))])
    submit = SubmitField(_l("Set my new password"))


class CodeForm(Form):
    code = StringField(_l("Code"), description=_l("The 6-digit code from your authenticator app, or one of your recovery codes."),
                       validators=[Required(_l("Enter the code")), MaxLength(40)])
    submit = SubmitField(_l("Continue"))


class TwoStepSetupForm(CodeForm):
    """The code, and the password: a borrowed session alone cannot tie the account to someone else's phone."""

    password = PasswordField(_l("Your password"), validators=[Required(_l("Enter your password")), MaxLength(200)])


class PasswordCheckForm(Form):
    password = PasswordField(_l("Your password"), validators=[Required(_l("Enter your password")), MaxLength(200)])
    submit = SubmitField(_l("Confirm"))


class TwoStepRuleForm(Form):
    required = BooleanField(_l("Administrators must use two-step sign-in"))
    submit = SubmitField(_l("Save"))
