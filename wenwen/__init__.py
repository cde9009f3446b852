"""wenwen: a typed client for the Wenwen AI relay, shared by the LangChain and LlamaIndex
integrations (``langchain_wenwen``, ``llama_index_wenwen``).

    from wenwen import WenwenClient, ChatRequest, Message
    client = WenwenClient()                      # WENWEN_API_KEY / WENWEN_BASE_URL
    reply = client.chat(ChatRequest(model="gpt-4o-mini", messages=[Message.of("user", "Hi")]))
"""

from . import errors, types
from ._client import AsyncChatStream, AsyncWenwenClient, ChatStream, WenwenClient
from ._http.reply import AsyncHttpReply, HttpReply
from ._http.retry import Clock
from ._settings import (
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TOTAL_TIMEOUT,
    Settings,
    resolve_api_key,
    resolve_base_url,
)
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ModelNotFoundError,
    ProtocolError,
    RateLimitError,
    StreamError,
    TaskCancelledError,
    TaskFailedError,
    TaskTimeoutError,
    UnsupportedFeatureError,
    WenwenError,
)
from .types import ChatRequest, ChatResponse, Message, Tool

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TOTAL_TIMEOUT",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncChatStream",
    "AsyncHttpReply",
    "AsyncWenwenClient",
    "AuthenticationError",
    "BadRequestError",
    "ChatRequest",
    "ChatResponse",
    "ChatStream",
    "Clock",
    "ConfigurationError",
    "HttpReply",
    "Message",
    "ModelNotFoundError",
    "ProtocolError",
    "RateLimitError",
    "Settings",
    "StreamError",
    "TaskCancelledError",
    "TaskFailedError",
    "TaskTimeoutError",
    "Tool",
    "UnsupportedFeatureError",
    "WenwenClient",
    "WenwenError",
    "__version__",
    "errors",
    "resolve_api_key",
    "resolve_base_url",
    "types",
]
