from django.urls import path

from evaluation import views

app_name = "evaluation"

urlpatterns = [
    # The room QR first: "sesiune" would otherwise be read as a token.
    path("evaluare/sesiune/<str:code>/", views.RoomView.as_view(), name="room"),
    path("evaluare/<str:token>/", views.AnswerView.as_view(), name="answer"),
]
