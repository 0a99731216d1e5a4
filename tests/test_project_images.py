"""A PB project's picture (uploaded on the staff form, kept by the image store) and its own page (issue #17)."""
from __future__ import annotations

import html
import io
import random
import re

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from factories import make_pot
from helpers import sign_in
from pb_helpers import csrf_of, publish_results

FORM = "/{lang}/manage/{org}/pb/{pot}/projects/{project}/edit"


def gps_photo(width: int = 2000, height: int = 1500) -> bytes:
    """A phone photo with the camera's make and the place it was taken (Criccieth)."""
    picture = Image.new("RGB", (width, height), (40, 110, 160))
    for x in range(0, width, 40):
        picture.putpixel((x, x * height // width), (250, 220, 10))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (52.0, 54.0, 36.0), 3: "W", 4: (4.0, 25.0, 12.0)}
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def big_photo() -> bytes:
    """About 7 MB: a full-size phone photo of something busy (noise compresses badly, as leaves do)."""
    rng = random.Random(7)
    picture = Image.frombytes("RGB", (3000, 2000), rng.randbytes(3000 * 2000 * 3))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=95)
    return out.getvalue()


@pytest.fixture
def draft(app, two_orgs):  # type: ignore[no-untyped-def]
    return make_pot(app, open_it=False, codes=2)


def _fields(**extra: str) -> dict[str, object]:
    data: dict[str, object] = {"title-cy": "Parc newydd", "title-en": "New park", "summary-cy": "Parc i’r plant.",
                               "summary-en": "A park for children.", "cost": "3000",
                               "image_alt-cy": "Plant yn chwarae ar siglenni", "image_alt-en": "Children playing on swings"}
    data.update(extra)
    return data


def _post(client, url: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    """The staff form, as a browser sends it: multipart, with the page's CSRF token. (The body is built
    here, so the temporary file the test client spools a large one to is closed, not left to the GC.)"""
    page = client.get(url)
    builder = EnvironBuilder(path=url, method="POST", content_type="multipart/form-data",
                             data={**data, "csrf_token": csrf_of(page.get_data(as_text=True))})
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def _project(app, project_id: int):  # type: ignore[no-untyped-def]
    from engage.ballots.models import Project
    from engage.extensions import db

    with app.app_context():
        project = db.session.get(Project, project_id)
        image = project.image
        return {"image_id": project.image_id, "key": image.key if image else None,
                "org_id": image.org_id if image else None, "title_en": project.title_en,
                "description_cy": project.description_cy}


def _image_count(app) -> int:
    from engage.extensions import db
    from engage.images.models import StoredImage

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StoredImage))


def _open(app, pot_id: int) -> None:
    from engage.ballots import lifecycle
    from engage.ballots.models import Pot
    from engage.extensions import db

    with app.app_context():
        lifecycle.open_pot(db.session.get(Pot, pot_id))


def test_a_photo_uploaded_on_the_form_shows_without_its_location_on_the_project_and_pot_pages(app, client, draft):
    sign_in(client, "admin-a@example.org")
    pid = draft.projects[0]
    raw = gps_photo()
    assert b"PhoneMaker" in raw
    form = client.get(FORM.format(lang="en", org="gwynedd", pot=draft.id, project=pid)).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    assert "we resize it for phones and remove the camera’s location data" in form
    saved = _post(client, FORM.format(lang="en", org="gwynedd", pot=draft.id, project=pid),
                  _fields(image=(io.BytesIO(raw), "IMG_2041.jpg", "image/jpeg")))
    assert saved.status_code == 302
    stored = _project(app, pid)
    assert stored["key"] and stored["title_en"] == "New park"
    edit = client.get(FORM.format(lang="en", org="gwynedd", pot=draft.id, project=pid)).get_data(as_text=True)
    assert f"/img/{stored['key']}-s.jpg" in edit and "Remove the picture" in edit  # the picture now, and a way to remove it
    _open(app, draft.id)

    page = client.get(f"/cy/pb/{draft.id}/projects/{pid}").get_data(as_text=True)
    img = re.search(r'<img class="project-image project-image-full"[^>]*>', page).group(0)
    assert f'src="/img/{stored["key"]}.jpg"' in img and 'width="1000" height="750"' in img
    assert 'alt="Plant yn chwarae ar siglenni"' in img
    pot_page = client.get(f"/en/pb/{draft.id}").get_data(as_text=True)
    small = re.search(r'<img class="project-image project-image-small"[^>]*>', pot_page).group(0)
    assert f'src="/img/{stored["key"]}-s.jpg"' in small and 'loading="lazy"' in small
    assert 'width="320" height="240"' in small and 'alt="Children playing on swings"' in small
    assert f'href="/en/pb/{draft.id}/projects/{pid}"' in pot_page

    for address in (f"/img/{stored['key']}.jpg", f"/img/{stored['key']}-s.jpg"):
        served = client.get(address)
        assert served.status_code == 200
        picture = Image.open(io.BytesIO(served.data))
        assert not picture.getexif() and "exif" not in picture.info
        assert b"PhoneMaker" not in served.data and b"GPS" not in served.data

    from engage.audit.models import AuditEntry
    from engage.extensions import db

    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.kind == "pb.project_saved")
                                   .order_by(AuditEntry.id.desc())).first()
        assert entry.data["image"] == "added" and entry.object_id == pid


def test_a_7_mb_photo_is_accepted_on_the_project_form_and_3_mb_elsewhere_is_still_too_large(app, client, draft):
    sign_in(client, "admin-a@example.org")
    raw = big_photo()
    assert 6.5e6 < len(raw) < 10 * 1024 * 1024
    saved = _post(client, f"/en/manage/gwynedd/pb/{draft.id}/projects/new",
                  _fields(image=(io.BytesIO(raw), "big.jpg", "image/jpeg")))
    assert saved.status_code == 302
    assert _image_count(app) == 1
    # The same 2 MB limit as before on every other form, the pot's own form included.
    edit = client.get(f"/en/manage/gwynedd/pb/{draft.id}/edit").get_data(as_text=True)
    refused = client.post(f"/en/manage/gwynedd/pb/{draft.id}/edit",
                          data={"csrf_token": csrf_of(edit), "x": "a" * (3 * 1024 * 1024)})
    assert refused.status_code == 413


def test_a_text_file_named_jpg_is_refused_in_welsh_keeping_what_was_typed_and_saving_nothing(app, client, draft):
    sign_in(client, "admin-a@example.org", lang="cy")
    url = FORM.format(lang="cy", org="gwynedd", pot=draft.id, project=draft.projects[0])
    before = _project(app, draft.projects[0])
    refused = _post(client, url, _fields(**{"title-en": "Changed title"},
                                         image=(io.BytesIO(b"not a picture at all\n" * 50), "llun.jpg", "image/jpeg")))
    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert "Nid yw'r ffeil yn llun y gallwn ei ddarllen" in page
    assert re.search(r'id="image-error"', page) and 'aria-invalid="true"' in page
    assert 'value="Changed title"' in page  # what was typed stays
    after = _project(app, draft.projects[0])
    assert after == before and after["title_en"] != "Changed title"
    assert _image_count(app) == 0
    new = _post(client, f"/cy/manage/gwynedd/pb/{draft.id}/projects/new",
                _fields(image=(io.BytesIO(b"GIF89a" + b"\0" * 100), "x.jpg", "image/jpeg")))
    assert new.status_code == 400 and _image_count(app) == 0


def test_the_picture_needs_its_description_in_both_languages(app, client, draft):
    sign_in(client, "admin-a@example.org")
    url = f"/en/manage/gwynedd/pb/{draft.id}/projects/new"
    refused = _post(client, url, _fields(**{"image_alt-cy": ""}, image=(io.BytesIO(gps_photo()), "a.jpg", "image/jpeg")))
    assert refused.status_code == 400
    assert "Enter the Welsh text for “Picture description”" in refused.get_data(as_text=True)
    assert _image_count(app) == 0
    # A long description: both languages or neither.
    one = _post(client, url, _fields(**{"description-en": "More about the park."}))
    assert one.status_code == 400 and "Enter the Welsh text for “Full description (optional)”" in one.get_data(as_text=True)


def test_removing_the_picture(app, client, draft):
    sign_in(client, "admin-a@example.org")
    pid = draft.projects[0]
    url = FORM.format(lang="en", org="gwynedd", pot=draft.id, project=pid)
    assert _post(client, url, _fields(image=(io.BytesIO(gps_photo()), "a.jpg", "image/jpeg"))).status_code == 302
    assert _project(app, pid)["image_id"] is not None
    # With the picture kept, its description is still needed; removing it, not.
    assert _post(client, url, _fields(**{"image_alt-en": ""})).status_code == 400
    assert _post(client, url, _fields(**{"image_alt-en": "", "remove_image": "y"})).status_code == 302
    assert _project(app, pid)["image_id"] is None
    assert "Remove the picture" not in client.get(url).get_data(as_text=True)


def test_another_organisation_can_neither_edit_the_project_nor_attach_its_picture(app, client, two_orgs):
    a = make_pot(app, "gwynedd", open_it=False, codes=0)
    b = make_pot(app, "powys", open_it=False, codes=0)
    sign_in(client, "admin-a@example.org")
    raw = gps_photo()
    assert _post(client, FORM.format(lang="en", org="gwynedd", pot=a.id, project=a.projects[0]),
                 _fields(image=(io.BytesIO(raw), "a.jpg", "image/jpeg"))).status_code == 302
    a_image = _project(app, a.projects[0])

    other = app.test_client()
    sign_in(other, "admin-b@example.org")
    # A's project, by A's address or under B's: not found.
    assert other.get(FORM.format(lang="en", org="gwynedd", pot=a.id, project=a.projects[0])).status_code == 404
    assert other.get(FORM.format(lang="en", org="powys", pot=a.id, project=a.projects[0])).status_code == 404
    b_url = FORM.format(lang="en", org="powys", pot=b.id, project=b.projects[0])
    # B's own project: an image id in the form (or A's key) is ignored; only an upload attaches a picture.
    saved = _post(other, b_url, _fields(image_id=str(a_image["image_id"]), image=str(a_image["key"])))
    assert saved.status_code == 302 and _project(app, b.projects[0])["image_id"] is None
    # The same photo uploaded by B is B's own copy, not A's row.
    assert _post(other, b_url, _fields(image=(io.BytesIO(raw), "a.jpg", "image/jpeg"))).status_code == 302
    mine = _project(app, b.projects[0])
    assert mine["image_id"] != a_image["image_id"] and mine["key"] != a_image["key"]
    from engage.accounts.services import get_org

    with app.app_context():
        assert mine["org_id"] == get_org("powys").id and a_image["org_id"] == get_org("gwynedd").id


def test_a_draft_pots_project_page_is_not_found(app, client, draft):
    assert client.get(f"/en/pb/{draft.id}/projects/{draft.projects[0]}").status_code == 404
    sign_in(client, "admin-a@example.org")  # not even for staff: the public page shows what residents see
    assert client.get(f"/cy/pb/{draft.id}/projects/{draft.projects[0]}").status_code == 404
    _open(app, draft.id)
    assert client.get(f"/cy/pb/{draft.id}/projects/{draft.projects[0]}").status_code == 200
    other = make_pot(app, codes=0)
    assert client.get(f"/cy/pb/{draft.id}/projects/{other.projects[0]}").status_code == 404  # another pot's project


def test_project_page_in_both_languages_with_its_full_description(app, client, two_orgs):
    from engage.ballots import pots
    from engage.ballots.models import Pot
    from engage.extensions import db

    made = make_pot(app, open_it=False, codes=1)
    with app.app_context():
        pot = db.session.get(Pot, made.id)
        project = next(p for p in pot.projects if p.id == made.projects[0])
        pots.save_project(pot, {"title": {"cy": "Gardd gymunedol", "en": "Community garden"},
                                "summary": {"cy": "Gardd i bawb.", "en": "A garden for all."},
                                "description": {"cy": "Gwelyau uchel a thŷ gwydr.", "en": "Raised beds and a greenhouse."},
                                "category": {"cy": "Yr amgylchedd", "en": "Environment"},
                                "location": {"cy": "Maes Glas", "en": "Maes Glas"}, "cost_pence": 420_000,
                                "proposer": "Cyfeillion Maes Glas", "image_alt": {}}, project)
    _open(app, made.id)
    cy = client.get(f"/cy/pb/{made.id}/projects/{made.projects[0]}").get_data(as_text=True)
    en = client.get(f"/en/pb/{made.id}/projects/{made.projects[0]}").get_data(as_text=True)
    assert "<h1>Gardd gymunedol</h1>" in cy and "Gwelyau uchel a thŷ gwydr." in cy and "Yr amgylchedd" in cy
    assert "<h1>Community garden</h1>" in en and "Raised beds and a greenhouse." in en and "Environment" in en
    for page in (cy, en):
        assert "£4,200" in page and "Cyfeillion Maes Glas" in page and "<img" not in page.split("<main")[1]
        assert f'href="/{"cy" if page is cy else "en"}/pb/{made.id}"' in page  # back to the fund
    assert "Pleidleisiwch nawr" in cy and "Vote now" in en


def test_more_about_a_project_from_the_ballot_keeps_the_ticks_without_javascript(app, client, two_orgs):
    made = make_pot(app)
    page = client.get(f"/cy/pb/{made.id}/vote")
    client.post(f"/cy/pb/{made.id}/vote", data={"code": made.codes[0], "csrf_token": csrf_of(page.get_data(as_text=True))})
    choose = client.get(f"/cy/pb/{made.id}/vote/choose").get_data(as_text=True)
    assert choose.count("Mwy am y prosiect hwn") == len(made.projects)
    # The "More about" button sits outside the row's label: the label's tap target is the row alone.
    for label in re.findall(r'<label class="ballot-choice".*?</label>', choose, re.S):
        assert 'name="about"' not in label
    went = client.post(f"/cy/pb/{made.id}/vote/choose", data={"project": [str(made.projects[0])],
                                                              "about": str(made.projects[1]),
                                                              "csrf_token": csrf_of(choose)})
    assert went.status_code == 302 and went.headers["Location"].endswith(f"/cy/pb/{made.id}/projects/{made.projects[1]}")
    project = client.get(went.headers["Location"]).get_data(as_text=True)
    assert f'href="/cy/pb/{made.id}/vote/choose"' in project  # the way back to the ballot
    back = client.get(f"/cy/pb/{made.id}/vote/choose").get_data(as_text=True)
    assert re.search(rf'value="{made.projects[0]}"[^>]*checked', back)
    assert not re.search(rf'value="{made.projects[1]}"[^>]*checked', back)


def test_results_link_each_project_to_its_page_and_open_data_hold(app, client, two_orgs):
    from engage.ballots import lifecycle
    from engage.ballots.models import Pot
    from engage.extensions import db

    made = make_pot(app, codes=0)
    with app.app_context():
        pot = db.session.get(Pot, made.id)
        lifecycle.close_pot(pot)
        publish_results(pot)
    page = client.get(f"/en/pb/{made.id}/results").get_data(as_text=True)
    for pid in made.projects:
        assert f'href="/en/pb/{made.id}/projects/{pid}"' in page
    assert client.get(f"/en/pb/{made.id}/results.json").status_code == 200
    exported = client.get(f"/en/pb/{made.id}/ballots.pb").get_data(as_text=True)
    assert "PROJECTS" in exported and "/img/" not in exported


def test_enter_in_a_box_still_continues_not_more_about_the_first_project(app, client, two_orgs):
    made = make_pot(app, ballot_type="points", points_total=10)
    page = client.get(f"/en/pb/{made.id}/vote")
    client.post(f"/en/pb/{made.id}/vote", data={"code": made.codes[0], "csrf_token": csrf_of(page.get_data(as_text=True))})
    choose = client.get(f"/en/pb/{made.id}/vote/choose").get_data(as_text=True)
    form = choose[choose.index('<form method="post" action="/en/pb/'):]
    first = re.search(r'<(?:input|button)[^>]*type="submit"[^>]*>', form).group(0)
    assert 'name="enter"' in first and 'tabindex="-1"' in first  # the button Enter presses
    assert form.index('name="enter"') < form.index('name="about"')
    points = {f"points-{pid}": "0" for pid in made.projects} | {f"points-{made.projects[0]}": "10"}
    went = client.post(f"/en/pb/{made.id}/vote/choose", data={**points, "enter": "Continue", "csrf_token": csrf_of(choose)})
    assert went.status_code == 302 and went.headers["Location"].endswith("/vote/check")
