"""Tickets reach residents (issue #17): by email on registering, in their language or both, with the
QR code the door scans and a calendar file; a reminder the day before; a notice if the event moves
or is cancelled; and a link to give up one's place. Read from the outbox, the QR code decoded."""
from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from engage.extensions import db
from helpers import Client, sign_in
from qrvideo import decode_png


def _mail(app, to: str) -> list:  # type: ignore[no-untyped-def]
    from engage.mail import OutboxMessage

    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == to).order_by(OutboxMessage.id))
        return [(m.subject, m.body, m.lang, m.files()) for m in rows]


def test_a_ticket_is_emailed_in_the_residents_language_with_its_qr_code_and_calendar(app, door):
    """On the old code nothing was sent: the page's address was the only copy of a ticket."""
    [(subject, body, lang, files)] = _mail(app, "ann@example.org")
    assert lang == "cy" and subject == "Eich tocyn: Noson gymunedol"
    assert f"{door.ann.code[:4]} {door.ann.code[4:]}" in body and f"/cy/tickets/{door.ann.token}" in body
    assert f"/cy/tickets/{door.ann.token}/cancel" in body and "Cod y tocyn" in body and "Ticket code" not in body
    png, ics = files
    assert png.mimetype == "image/png" and decode_png(png.data) == [f"http://localhost/t/{door.ann.token}"]
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert ics.mimetype == "text/calendar" and str(event["summary"]) == "Noson gymunedol"
    assert event.decoded("dtstart") == door.event.starts_at


def test_without_a_language_the_ticket_is_in_welsh_then_english(app, door):
    [(subject, body, lang, _files)] = _mail(app, "carys@example.org")
    assert lang == "both" and subject == "Eich tocyn: Digwyddiad arall / Your ticket: Another event"
    assert body.index("Cod y tocyn") < body.index("Ticket code") and "/cy/tickets/" in body and "/en/tickets/" in body


def test_no_email_address_no_email(app, door):
    from engage.mail import OutboxMessage

    with app.app_context():
        assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.body.contains(door.bob.code))) is None


def test_a_resident_cancels_their_place_and_the_door_refuses_the_ticket(app, door):
    from engage.checkin import services
    from engage.checkin.models import Ticket

    client = Client(app, use_cookies=True)
    page = client.get(f"/en/tickets/{door.ann.token}/cancel").get_data(as_text=True)
    assert "Cancel my place" in page
    assert client.submit(f"/en/tickets/{door.ann.token}/cancel").status_code == 302
    with app.app_context():
        ticket = db.session.get(Ticket, door.ann.id)
        assert ticket.cancelled_at is not None
        scan = services.record_scan(ticket.event, method="ticket_scan", ticket_id=ticket.id, nonce="cancelled-1")
        assert scan.result != "ok"
    assert "This ticket has been cancelled" in client.get(f"/en/tickets/{door.ann.token}").get_data(as_text=True)
    again = client.get(f"/cy/tickets/{door.ann.token}/cancel").get_data(as_text=True)
    assert "Canslo fy lle" not in again  # nothing left to press
    assert client.post("/en/tickets/not-a-token/cancel", data={"csrf_token": client.last_csrf}).status_code == 404


def test_a_reminder_the_day_before_once(app, door):
    from engage.checkin.ticket_mail import send_reminders
    from engage.types import utcnow

    with app.app_context():
        assert send_reminders(utcnow()) == 1  # Carys: her event is tomorrow (Ann's is today)
        assert send_reminders(utcnow()) == 0
    subjects = [m[0] for m in _mail(app, "carys@example.org")]
    assert subjects[-1] == "Yfory: Digwyddiad arall / Tomorrow: Another event"
    assert [m[0] for m in _mail(app, "ann@example.org")] == ["Eich tocyn: Noson gymunedol"]


def _edit(app, event_id: int, **changes):  # type: ignore[no-untyped-def]
    from engage.events import services
    from engage.events.models import Event

    with app.app_context():
        event = db.session.get(Event, event_id)
        data = {name: getattr(event, name) for name in services.EDITABLE}
        data.update({name: event.texts(name) for name in services.BILINGUAL})
        data.update(themes=[t.id for t in event.themes], audiences=[a.id for a in event.audiences], **changes)
        services.update_event(event, data)


def test_holders_hear_when_the_event_moves_or_is_cancelled_and_not_otherwise(app, door):
    _edit(app, door.other.id, description={"cy": "Newydd.", "en": "New."})
    assert len(_mail(app, "carys@example.org")) == 1  # only the ticket itself
    _edit(app, door.other.id, starts_at=door.other.starts_at + timedelta(hours=1),
          ends_at=door.other.ends_at + timedelta(hours=1))
    moved = _mail(app, "carys@example.org")[-1]
    assert moved[0] == "Wedi newid: Digwyddiad arall / Changed: Another event" and len(moved[3]) == 2
    _edit(app, door.other.id, status="cancelled")
    cancelled = _mail(app, "carys@example.org")[-1]
    assert cancelled[0] == "Wedi’i ganslo: Digwyddiad arall / Cancelled: Another event" and cancelled[3] == []


def test_the_ticket_email_is_in_the_admins_outbox(app, door):
    client = Client(app, use_cookies=True)
    sign_in(client, "admin-a@example.org")
    assert "Eich tocyn: Noson gymunedol" in client.get("/en/manage/gwynedd/outbox").get_data(as_text=True)


# --- places and the waiting list ------------------------------------------------------------------


def _capacity(app, event_id: int, capacity: int | None) -> None:  # type: ignore[no-untyped-def]
    from engage.checkin.models import EventCheckin
    from engage.db import write_transaction

    with app.app_context():
        with write_transaction():
            settings = db.session.get(EventCheckin, event_id)
            settings.capacity, settings.registration_open = capacity, True


def test_a_full_event_puts_people_on_a_waiting_list_and_a_given_up_place_goes_to_the_first(app, door):
    from engage.checkin import services
    from engage.checkin.models import Ticket

    _capacity(app, door.event.id, 2)  # Ann and Bob have the two places
    client = Client(app, use_cookies=True)
    page = client.get(f"/en/events/{door.event.id}/register").get_data(as_text=True)
    assert "Every place is taken" in page and "Join the waiting list" in page
    assert "either is enough" in page
    joined = client.submit(f"/en/events/{door.event.id}/register", {
        "name": "Dewi Prys", "email": "dewi@example.org", "preferred_lang": "en", "consent": "y"})
    assert joined.status_code == 302
    ticket_page = client.get(joined.headers["Location"]).get_data(as_text=True)
    assert "You are on the waiting list" in ticket_page and 'class="qr"' not in ticket_page
    [(subject, _body, _lang, files)] = _mail(app, "dewi@example.org")
    assert subject == "Waiting list: Community night" and files == []
    with app.app_context():
        dewi = db.session.scalar(select(Ticket).where(Ticket.email == "dewi@example.org"))
        assert dewi.waiting
        event = dewi.event
        # A place on the waiting list does not get in at the door, by code or from a search.
        assert services.record_scan(event, method="typed_code", code=dewi.code, nonce="wait-1").result == "invalid"
        assert services.search_tickets(event, "Dewi") == []
        assert services.places_left(event) == 0
        [promoted] = services.cancel_ticket(db.session.get(Ticket, door.ann.id))
        assert promoted.id == dewi.id and not promoted.waiting
        assert services.record_scan(event, method="typed_code", code=dewi.code, nonce="wait-2").result == "ok"
        assert services.cancel_ticket(db.session.get(Ticket, door.ann.id)) == []  # once only
    subject, _body, _lang, files = _mail(app, "dewi@example.org")[-1]
    assert subject == "Your ticket: Community night" and len(files) == 2


def test_two_people_for_the_last_place_at_once_one_gets_it(app, door):
    import threading

    from engage.checkin import services
    from engage.checkin.models import Ticket
    from engage.events.models import Event

    _capacity(app, door.event.id, 3)  # one place left
    start = threading.Barrier(2)

    def register(name: str) -> None:
        with app.app_context():
            event = db.session.get(Event, door.event.id)
            start.wait()
            services.register(event, {"name": name, "phone": "07700 900000"})

    threads = [threading.Thread(target=register, args=(name,)) for name in ("Elin", "Ffion")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with app.app_context():
        waiting = sorted(db.session.scalars(select(Ticket.waiting).where(Ticket.name.in_(["Elin", "Ffion"]))))
    assert waiting == [False, True]


def test_places_are_set_on_the_door_settings(app, door):
    from engage.checkin.models import EventCheckin

    client = Client(app, use_cookies=True)
    sign_in(client, "organiser-a@example.org")
    url = f"/en/manage/gwynedd/events/{door.event.id}/checkin-settings"
    page = client.get(url)
    assert page.status_code == 200 and "Places (optional)" in page.get_data(as_text=True)
    bad = client.submit(url, {"opens_minutes_before": "30", "closes_minutes_after": "0", "capacity": "0"})
    assert bad.status_code == 400
    assert client.submit(url, {"opens_minutes_before": "30", "closes_minutes_after": "0", "capacity": "40"}).status_code == 302
    with app.app_context():
        assert db.session.get(EventCheckin, door.event.id).capacity == 40


def test_the_registrations_download_opens_in_excel_in_the_pages_language(app, door):
    import csv
    import io

    from engage.checkin import services
    from engage.checkin.models import Ticket

    with app.app_context():
        services.register(db.session.get(Ticket, door.ann.id).event, {"name": "=HYPERLINK(\"x\")", "phone": "1"})
    client = Client(app, use_cookies=True)
    sign_in(client, "organiser-a@example.org")
    page = client.get(f"/cy/manage/gwynedd/events/{door.event.id}/tickets").get_data(as_text=True)
    assert "Lawrlwytho’r cofrestriadau" in page
    body = client.get(f"/cy/manage/gwynedd/events/{door.event.id}/tickets.csv").get_data()
    assert body.startswith("\ufeff".encode())  # a byte-order mark: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Enw" and "Cod y tocyn" in rows[0]
    ann = next(r for r in rows if r[0] == "Ann Jones")
    assert ann[4] == "Cymraeg" and ann[6] == "Lle wedi’i gadw" and ann[7] == "Naddo"  # "arrived?": Do/Naddo (the fluent review, 57f8669)
    assert any(r[0] == "'=HYPERLINK(\"x\")" for r in rows)  # a formula is not run
    other = Client(app, use_cookies=True)
    sign_in(other, "admin-b@example.org")
    assert other.get(f"/cy/manage/gwynedd/events/{door.event.id}/tickets.csv").status_code == 404


def test_people_waiting_hear_when_the_event_is_cancelled(app, door):
    from engage.checkin import services
    from engage.events.models import Event

    _capacity(app, door.other.id, 1)  # Carys has the one place
    with app.app_context():
        services.register(db.session.get(Event, door.other.id), {"name": "Gethin", "email": "gethin@example.org",
                                                                 "preferred_lang": "cy"})
    _edit(app, door.other.id, starts_at=door.other.starts_at + timedelta(hours=1),
          ends_at=door.other.ends_at + timedelta(hours=1))
    assert len(_mail(app, "gethin@example.org")) == 1  # moved: only ticket holders hear
    _edit(app, door.other.id, status="cancelled")
    assert _mail(app, "gethin@example.org")[-1][0] == "Wedi’i ganslo: Digwyddiad arall"


def test_the_door_says_when_check_in_opens(app, door, make_event):
    from helpers import wales_now

    later = make_event(start=wales_now().replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=3))
    client = Client(app, use_cookies=True)
    sign_in(client, "organiser-a@example.org")
    page = client.get(f"/en/manage/gwynedd/events/{later.id}/door").get_data(as_text=True)
    assert "Check-in opens at 11:30" in page
