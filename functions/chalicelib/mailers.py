"""The mailer the signing service sends with, chosen by PETITION_MAILER (resolved settings)."""

from __future__ import annotations

from generator.model import Content
from generator.signing.mail import Deferred, Mailer, NoMailer
from generator.signing.settings import Settings


def mailer_for(settings: Settings, content: Content) -> Mailer:
    """The mailer PETITION_MAILER names, built when the first letter is sent."""
    return Deferred(lambda: build_mailer(settings, content))


def build_mailer(settings: Settings, content: Content) -> Mailer:
    """file (an .eml per message), smtp, ses (the SQS queue of the mailer function) or none."""
    backend = settings.mailer()
    if backend == "none":
        return NoMailer()
    if backend == "ses":
        from generator.signing.mail import QueueMailer

        return QueueMailer(settings.mail_queue())
    from generator.signing.letters import Writer

    writer = Writer(content, settings.templates_dir())
    if backend == "smtp":
        from generator.signing.mail import SmtpMailer, smtp_address

        host, port = smtp_address(settings.smtp())
        return SmtpMailer(host, port, writer)
    from generator.signing.mail import FileMailer

    return FileMailer(settings.outbox(), writer)
