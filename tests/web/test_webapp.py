"""The installable web app: a manifest and a root-scoped service worker, both served without sign-in and
linked from every page."""

from tests.demo import AMBASSADOR_KINSHASA


def test_the_manifest_and_the_service_worker_are_served_with_their_types(client, auth):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    app = manifest.get_json()
    assert app["display"] == "standalone" and app["start_url"] == "/" and app["short_name"]
    for icon in app["icons"]:
        assert client.get(icon["src"]).status_code == 200

    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "application/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"  # the browser asks for a new version every time
    assert "worker-src" not in worker.headers["Content-Security-Policy"]  # default-src 'self' covers it
    assert b"coordination-pages" in worker.data

    auth.login(AMBASSADOR_KINSHASA)
    page = client.get("/").get_data(as_text=True)
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert 'data-worker="/sw.js"' in page and "report_queue.js" in page
