"""Reading a petition's live figures; closing dates in the site's time zone; no CORS."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from .support import Api, Clock, signing_app


def test_get_gives_count_goal_status_and_milestones_oldest_first(api: Api) -> None:
    response = api.get("seed")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=5"
    assert response.headers["Content-Type"] == "application/json"
    assert response.json_body == {
        "slug": "seed",
        "count": 505,
        "pending": 0,
        "goal": 1000,
        "status": "open",
        "milestones": [
            {"count": 10, "reached_at": "2017-04-14T14:35:51+12:00"},
            {"count": 25, "reached_at": "2017-04-14T15:12:51+12:00"},
            {"count": 50, "reached_at": "2017-04-14T15:47:59+12:00"},
            {"count": 100, "reached_at": "2017-04-14T18:08:00+12:00"},
            {"count": 500, "reached_at": "2017-04-20T18:05:41+12:00"},
        ],
        "updated": None,  # nothing counted in the store yet
        "imported": 505,  # all of them: stated apart from the public log
        "log_size": 0,
        "log_base": 0,
        "by_country": {},  # imported signatures come without places
        "by_region": {},
    }


def test_milestone_times_follow_the_sites_daylight_saving(api: Api, clock: Clock) -> None:
    clock.now = datetime(2024, 1, 15, 1, 0, 0, tzinfo=UTC)  # summer: +13:00
    api.sign("open")

    assert api.get("open").json_body["milestones"] == [
        {"count": 10, "reached_at": "2024-01-15T14:00:00+13:00"}
    ]


@pytest.mark.parametrize(
    ("utc_time", "status", "sign_status"),
    [
        (datetime(2024, 6, 1, 11, 59, 59, tzinfo=UTC), "open", 201),  # 23:59:59 on 1 June in NZ
        (datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC), "closed", 409),  # 00:00 on 2 June in NZ
    ],
)
def test_a_petition_closes_after_its_closing_day_in_the_sites_time_zone(
    api: Api, clock: Clock, utc_time: datetime, status: str, sign_status: int
) -> None:
    clock.now = utc_time

    assert api.get("closing").json_body["status"] == status
    assert api.sign("closing").status_code == sign_status


@pytest.mark.parametrize(("slug", "status"), [("closed", "closed"), ("won", "won")])
def test_get_reports_closed_and_won_petitions(api: Api, slug: str, status: str) -> None:
    assert api.get(slug).json_body["status"] == status


def test_no_cors_is_enabled(api: Api) -> None:
    responses = [api.get("seed"), api.sign("fresh", headers={"Origin": "https://evil.example"})]

    for response in responses:
        assert not any(h.lower().startswith("access-control-") for h in response.headers)
    routes = signing_app().app.routes
    assert all(entry.cors is None for methods in routes.values() for entry in methods.values())
