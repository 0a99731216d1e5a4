from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SubmitField, TextAreaField

from ..forms import Form
from ..validators import MaxLength, Optional, Required

RATINGS = [
    SelectChoice("5", _l("Very satisfied")),
    SelectChoice("4", _l("Satisfied")),
    SelectChoice("3", _l("Neither satisfied nor dissatisfied")),
    SelectChoice("2", _l("Dissatisfied")),
    SelectChoice("1", _l("Very dissatisfied")),
]


class SiteFeedbackForm(Form):
    rating = RadioField(_l("Overall, how did you feel about the service you received today?"),
                        choices=RATINGS, validators=[Optional()], default=None)
    comments = TextAreaField(_l("How could we improve this service?"),
                             description=_l("Do not include personal information, like your name or address."),
                             validators=[Required(_l("Tell us how we could improve this service")),
                                         MaxLength(2000)])
    submit = SubmitField(_l("Send feedback"))
