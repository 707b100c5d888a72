import os, time, cProfile, pstats
os.environ.update(DATABASE_URL="postgres://postgres@127.0.0.1:5432/factory_bench_mes_dashboard", DJANGO_SETTINGS_MODULE="config.test_settings", REDIS_URL="redis://127.0.0.1:6379/15")
import django; django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.test import Client
from core.models import User, Site
from mes.selectors import dashboard
u = User.objects.get(username="mesbench"); site = Site.objects.get(code="MB")
c = Client(); c.force_login(u)
c.get("/mes/dashboard/")
for i in range(3):
    t = time.perf_counter()
    with CaptureQueriesContext(connection) as q:
        r = c.get("/mes/dashboard/")
    print("page", r.status_code, round((time.perf_counter()-t)*1000), "ms", len(q), "queries", round(sum(float(x["time"]) for x in q.captured_queries)*1000), "ms in db")
t = time.perf_counter(); dashboard.equipment_tiles(user=u, site=site); print("tiles", round((time.perf_counter()-t)*1000))
cProfile.run('c.get("/mes/dashboard/")', "/tmp/prof.out")
pstats.Stats("/tmp/prof.out").sort_stats("tottime").print_stats(15)
