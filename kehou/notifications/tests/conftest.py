import pytest

from kehou.notifications import channels

RECORDING = "kehou.notifications.testing.RecordingGateway"


@pytest.fixture
def sms(settings):
    """An SMS gateway that records what it would send (kehou.notifications.testing)."""
    settings.KEHOU_SMS_GATEWAY = RECORDING
    gateway = channels.gateway("KEHOU_SMS_GATEWAY")
    gateway.reset()
    yield gateway
    gateway.reset()


@pytest.fixture
def wechat(settings):
    settings.KEHOU_WECHAT_GATEWAY = RECORDING
    gateway = channels.gateway("KEHOU_WECHAT_GATEWAY")
    gateway.reset()
    yield gateway
    gateway.reset()


@pytest.fixture(autouse=True)
def _no_gateways(settings):
    """Each test starts without SMS or WeChat, whatever the environment configures."""
    settings.KEHOU_SMS_GATEWAY = ""
    settings.KEHOU_WECHAT_GATEWAY = ""
