import pytest

from wenwen._settings import Settings, normalize_base_url
from wenwen.errors import ConfigurationError


@pytest.mark.parametrize(
    "given",
    [
        "https://api.wenwen-ai.com",
        "https://api.wenwen-ai.com/",
        "https://api.wenwen-ai.com/v1",
        "https://api.wenwen-ai.com/v1/",
    ],
)
def test_base_url_with_or_without_v1(given: str) -> None:
    assert normalize_base_url(given) == "https://api.wenwen-ai.com"


def test_rejects_a_url_without_scheme() -> None:
    with pytest.raises(ConfigurationError, match="http"):
        normalize_base_url("api.wenwen-ai.com")


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENWEN_API_KEY", "sk-env")
    monkeypatch.setenv("WENWEN_BASE_URL", "http://127.0.0.1:9/v1")
    settings = Settings.resolve()
    assert settings.base_url == "http://127.0.0.1:9"
    assert settings.require_key() == "sk-env"
    assert "sk-env" not in repr(settings)


def test_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WENWEN_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="WENWEN_API_KEY"):
        Settings.resolve().require_key()
