import pytest

from sample_api.settings import MissingSetting, Settings

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
