"""Background work for sessions, run by the django-tasks worker (`manage.py db_worker`)."""

from django_tasks import task

from sessions.notifications import send_notice


@task()
def send_session_notice(*, session_id: int, kind: str, person_ids: list[int], notice_id: int | None = None) -> int:
    """E-mail an invitation, update or cancellation for a session, recording on SessionNotice
    `notice_id` whether they went. Returns how many were sent."""
    return send_notice(session_id=session_id, kind=kind, person_ids=person_ids, notice_id=notice_id)
