from django.urls import path

from sessions import calendar_views, views

app_name = "training_sessions"

urlpatterns = [
    path("sesiuni/<str:code>/", views.SessionDetailView.as_view(), name="detail"),
    path("sesiuni/<str:code>/calendar.ics", calendar_views.SessionIcsView.as_view(), name="ics"),
    path("calendar/sesiuni.ics", calendar_views.PublicFeedView.as_view(), name="feed"),
    path(
        "calendar/personal/<str:token>.ics",
        calendar_views.PersonalFeedView.as_view(),
        name="personal_feed",
    ),
    path(
        "calendar/judet/<str:county>/<str:token>.ics",
        calendar_views.CountyFeedView.as_view(),
        name="county_feed",
    ),
    path("sesiuni/<str:code>/inscriere/", views.RegisterView.as_view(), name="register"),
    path("sesiuni/<str:code>/nominalizare/", views.NominateView.as_view(), name="nominate"),
    path("contul-meu/formari/", views.MyTrainingsView.as_view(), name="my_trainings"),
    path(
        "contul-meu/calendar/adresa-noua/",
        views.CalendarKeyRegenerateView.as_view(),
        name="calendar_key_regenerate",
    ),
    path(
        "contul-meu/calendar/oprire/",
        views.CalendarKeyRevokeView.as_view(),
        name="calendar_key_revoke",
    ),
    path("inscrieri/<int:pk>/anulare/", views.CancelView.as_view(), name="cancel"),
    path("inscrieri/<int:pk>/raspuns/", views.RespondView.as_view(), name="respond"),
    # Self check-in: the form for the code on the projector, and what the projected QR opens.
    path("prezenta/", views.CheckinView.as_view(), name="checkin"),
    path("prezenta/<str:code>/", views.CheckinCodeView.as_view(), name="checkin_code"),
]
