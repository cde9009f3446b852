"""Which hosts a download may reach: the address policy of the key-less download path.

A result URL comes from a reply, so it is written by a server the user does not control. A
download therefore refuses addresses that lead into the user's own machine or network:
loopback, private (RFC 1918, unique-local IPv6), link-local (where cloud metadata services
such as ``169.254.169.254`` live), shared address space (RFC 6598, e.g. Alibaba's metadata at
``100.100.100.200``), multicast, unspecified, reserved and every other range that IANA's
special-purpose registries mark as not globally reachable
(https://www.iana.org/assignments/iana-ipv4-special-registry/,
https://www.iana.org/assignments/iana-ipv6-special-registry/). IPv4 addresses carried inside
IPv6 (IPv4-mapped ``::ffff:a.b.c.d``, 6to4 ``2002::/16``, NAT64 ``64:ff9b::/96``) are judged by
the IPv4 address they carry.

Two exceptions: the relay's own origin (scheme, host and port of the client's ``base_url``, so
the emulator and self-hosted relays keep working; another port on the same host stays refused),
and what the user allows with ``allow_private_hosts`` (``True`` for everything, or a list of
host names, IP addresses and networks in CIDR notation).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import httpx

from ..errors import ConfigurationError, DownloadBlockedError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
AllowPrivateHosts = bool | Sequence[str]
"""``allow_private_hosts``: ``False`` (default), ``True`` (no address is refused), or host names,
IP addresses and CIDR networks whose addresses a download may reach."""

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal_reason(address: IPAddress) -> str | None:
    """Why a download may not reach ``address`` (``"loopback"``, ``"cloud metadata"``, ...),
    or ``None`` when it is a public address."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = refusal_reason(inner)
        return f"{reason} (inside IPv6 {address})" if reason else None
    checks = (
        (address in _METADATA, "cloud metadata"),
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (not address.is_global, "not globally reachable"),
    )
    return next((reason for hit, reason in checks if hit), None)


def parse_address(text: str) -> IPAddress | None:
    """An IP address written the standard way (a zone id ``%eth0`` dropped), else ``None``."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def url_origin(url: httpx.URL) -> tuple[str, str, int]:
    """``(scheme, host, port)`` with the scheme's default port filled in."""
    scheme = url.scheme.lower()
    return scheme, url.host.lower(), url.port or _DEFAULT_PORTS.get(scheme, 0)


@dataclass(frozen=True)
class AddressPolicy:
    """The decision of which addresses a download may reach (see the module docstring)."""

    relay_origins: frozenset[tuple[str, str, int]] = frozenset()
    allow_all: bool = False
    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def of(
        cls, relay_url: str | None = None, allow_private_hosts: AllowPrivateHosts = False
    ) -> AddressPolicy:
        """The policy for a client of the relay at ``relay_url`` (``None``: no relay origin
        is trusted) that allows ``allow_private_hosts``."""
        allow_all, hosts, networks = check_allow_private_hosts(allow_private_hosts)
        origins: frozenset[tuple[str, str, int]] = frozenset()
        if relay_url:
            try:
                origins = frozenset({url_origin(httpx.URL(relay_url))})
            except (httpx.InvalidURL, TypeError) as exc:
                raise ConfigurationError(f"relay URL {relay_url!r} is not valid: {exc}") from None
        return cls(origins, allow_all, hosts, networks)

    def trusts(self, url: httpx.URL) -> bool:
        """Whether every address of ``url``'s host may be reached: the relay's own origin, a
        host the user allowed, or everything allowed."""
        return (
            self.allow_all
            or url_origin(url) in self.relay_origins
            or url.host.lower() in self.hosts
        )

    def check(self, host: str, addresses: Iterable[str], url: str = "") -> None:
        """Refuse when any address ``host`` resolved to is not allowed. A host that resolves
        to a mix of public and private addresses is refused as a whole (a rebinding trick)."""
        for text in addresses:
            address = parse_address(text)
            if address is None:
                raise DownloadBlockedError(
                    f"refusing download from {host}: it resolved to {text!r}, not an IP address",
                    url=url,
                )
            if any(address in network for network in self.networks):
                continue
            reason = refusal_reason(address)
            if reason is not None:
                raise DownloadBlockedError(
                    f"refusing download from {host}: its address {address} is {reason}; "
                    "downloads reach public addresses and the relay's own origin only "
                    "(allow more with allow_private_hosts=[...])",
                    url=url,
                )


def check_allow_private_hosts(
    value: object,
) -> tuple[bool, frozenset[str], tuple[IPNetwork, ...]]:
    """``(allow all, host names, networks)`` of an ``allow_private_hosts`` value; a typed error
    naming the setting for anything else."""
    if isinstance(value, bool):
        return value, frozenset(), ()
    if value is None:
        return False, frozenset(), ()
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ConfigurationError(
            "allow_private_hosts must be True, False or a list of host names, IP addresses "
            f"and CIDR networks, got {value!r}"
        )
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for entry in value:
        if not isinstance(entry, str) or not entry.strip() or any(c in entry for c in "@?#"):
            raise ConfigurationError(
                f"allow_private_hosts entries must be host names, IPs or CIDRs, got {entry!r}"
            )
        text = entry.strip().lower().strip("[]")
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            hosts.add(text)
    return False, frozenset(hosts), tuple(networks)


STRICT = AddressPolicy()
"""No relay origin, nothing allowed: public addresses only."""

__all__ = [
    "STRICT",
    "AddressPolicy",
    "AllowPrivateHosts",
    "check_allow_private_hosts",
    "embedded_ipv4",
    "parse_address",
    "refusal_reason",
    "url_origin",
]
