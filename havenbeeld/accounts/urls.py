from django.urls import path

from havenbeeld.accounts.views import manage, signin

app_name = "accounts"

urlpatterns = [
    path("account-aanvragen/", signin.request_account, name="request"),
    path("account-aanvragen/verzonden/", signin.request_sent, name="request_sent"),
    path("account-aanvragen/bevestigen/<str:token>/", signin.confirm_email, name="confirm_email"),
    path("wachtwoord-instellen/<str:token>/", signin.set_password, name="set_password"),
    path("wachtwoord-vergeten/", signin.forgot_password, name="forgot_password"),
    path("wachtwoord-herstellen/<str:token>/", signin.reset_password, name="reset_password"),
    path("inloggen/", signin.sign_in, name="login"),
    path("inloggen/code/", signin.sign_in_code, name="sign_in_code"),
    path("inloggen/tweestapsverificatie/", signin.enrol, name="enrol"),
    path("herstelcodes/", signin.recovery_codes, name="recovery_codes"),
    path("uitloggen/", signin.sign_out, name="logout"),
    path("mijn-account/", signin.my_account, name="my_account"),
    path("beheer/aanvragen/", manage.request_list, name="request_list"),
    path("beheer/aanvragen/<int:pk>/", manage.request_detail, name="request_detail"),
    path("beheer/gebruikers/", manage.user_list, name="user_list"),
    path("beheer/gebruikers/<int:pk>/", manage.user_detail, name="user_detail"),
    path("beheer/gebruikers/<int:pk>/deactiveren/", manage.user_deactivate,
         name="user_deactivate"),
    path("beheer/gebruikers/<int:pk>/heractiveren/", manage.user_reactivate,
         name="user_reactivate"),
    path("beheer/gebruikers/<int:pk>/tweestapsverificatie-herstellen/",
         manage.user_reset_second_factor, name="user_reset_second_factor"),
]
