import pytest

from sample_api.settings import MissingSetting, Settings, get_settings, require_settings

pytestmark = pytest.mark.domain("core")


def test_settings_read_environment_names():
    # Given the variables the template sets
    env = {"STAGE": "prod", "TABLE_NAME": "users", "CORS_ALLOWED_ORIGINS": "https://a.example"}

    # When they are parsed
    settings = Settings.model_validate(env)

    # Then each lands on its field
    assert settings.stage == "prod"
    assert settings.table_name == "users"
    assert settings.allowed_origins == ["https://a.example"]


def test_allowed_origins_split_on_commas_and_drop_blanks():
    settings = Settings.model_validate(
        {"CORS_ALLOWED_ORIGINS": " https://a.example, ,https://b.example "}
    )

    assert settings.allowed_origins == ["https://a.example", "https://b.example"]


def test_require_names_the_missing_variable():
    # Given a function whose template entry gives it no bucket
    settings = Settings.model_validate({})

    # When the code asks for one
    with pytest.raises(MissingSetting, match="FILES_BUCKET_NAME"):
        settings.require("files_bucket_name")


def test_require_returns_a_present_value():
    settings = Settings.model_validate({"TABLE_NAME": "users"})

    assert settings.require("table_name") == "users"


def test_settings_are_immutable():
    settings = Settings.model_validate({"STAGE": "dev"})

    with pytest.raises(ValueError, match="frozen"):
        settings.stage = "prod"  # type: ignore[misc]


def test_require_settings_names_every_missing_variable(monkeypatch):
    # Given a function needing a table and a bucket, and an environment with neither
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.delenv("FILES_BUCKET_NAME", raising=False)
    get_settings.cache_clear()

    # When its init checks them, Then both variables are named at once
    with pytest.raises(MissingSetting, match="TABLE_NAME, FILES_BUCKET_NAME"):
        require_settings("table_name", "files_bucket_name")
    get_settings.cache_clear()


def test_require_settings_refuses_a_name_that_is_no_setting():
    # Given / When a handler names a setting that does not exist (a typo)
    # Then it fails at once instead of never checking anything
    with pytest.raises(ValueError, match="not settings: tabel_name"):
        require_settings("tabel_name")
