"""The mailer the signing service sends with, chosen by PETITION_MAILER (resolved settings)."""

from __future__ import annotations

from generator.model import Content
from generator.signing.mail import Deferred, Mailer, build_mailer
from generator.signing.settings import Settings


def mailer_for(settings: Settings, content: Content) -> Mailer:
    """The mailer PETITION_MAILER names (generator.signing.mail.build_mailer), with the
    templates beside the app, built when the first letter is sent."""
    return Deferred(lambda: build_mailer(settings, content, settings.templates_dir()))
