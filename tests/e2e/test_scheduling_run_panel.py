"""The planner opens a finished schedule run and reads what its time went on."""

import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from scheduling.services import versions
from tests.mes.factories import PASSWORD, production_plant, released_order

SHOTS = os.environ.get("E2E_SHOTS")  # a folder to keep screenshots of the page in, when set


@pytest.fixture
def finished_run(transactional_db, settings):
    settings.SCHEDULING_WORKERS = 1
    plant = production_plant()
    released_order(plant, quantity="20", due_in_days=1)
    released_order(plant, quantity="5", priority=1)
    version = versions.start_run(site=plant.site, user=plant.planner, time_limit_seconds=2)
    return plant, versions.run_version(version.pk)


def test_a_finished_run_shows_its_model_building_and_solving_seconds(finished_run, page, login):
    plant, version = finished_run
    done = version.progress[-1]
    login(page, plant.planner, PASSWORD)
    page.goto(reverse("scheduling:version-detail", args=[version.pk]))
    figure = page.locator(".run-panel .figures div").filter(has_text="Model build / solve (s)")
    expect(figure).to_be_visible()
    expect(figure.locator("dd")).to_have_text(f"{done['build_seconds']} / {done['solve_seconds']}")
    best = page.locator(".run-panel .figures div").filter(has_text="Best found (min)")
    expect(best.locator("dd")).to_have_text(str(version.objective_value))  # 0 is a figure, not a blank
    if SHOTS:
        for width, height in ((1280, 800), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"{SHOTS}/run_panel_{width}.png")
