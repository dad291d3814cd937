/// The built-in policy: works out of the box on Debian/Ubuntu and RHEL-family hosts by ignoring (or downgrading) the
/// state every running host changes by itself, so that what remains is drift someone caused.
package enum DefaultPolicy {
    package static let text = """
        # driftcheck built-in default policy (driftcheck policy show prints the effective policy)
        version: 1
        rules:
          # Kernel and runtime filesystems, scratch space.
          - {path: "/proc/**", ignore: true}
          - {path: "/sys/**", ignore: true}
          - {path: "/dev/**", ignore: true}
          - {path: "/run/**", ignore: true}
          - {path: "/tmp/**", ignore: true}
          - {path: "/var/tmp/**", ignore: true}
          - {path: "/lost+found", ignore: true}
          # Logs, caches, spools and state that running services write.
          - {path: "/var/log/**", ignore: true}
          - {path: "/var/cache/**", ignore: true}
          - {path: "/var/spool/postfix/**", ignore: true}
          - {path: "/var/spool/rsyslog/**", ignore: true}
          - {path: "/var/spool/anacron/**", ignore: true}
          - {path: "/var/lib/systemd/random-seed", ignore: true}
          - {path: "/var/lib/systemd/timers/**", ignore: true}
          - {path: "/var/lib/systemd/timesync/**", ignore: true}
          - {path: "/var/lib/systemd/coredump/**", ignore: true}
          - {path: "/var/lib/systemd/pstore/**", ignore: true}
          - {path: "/var/lib/systemd/linger/**", ignore: true}
          - {path: "/var/lib/systemd/catalog/**", ignore: true}
          - {path: "/var/lib/private/systemd/**", ignore: true}
          - {path: "/var/lib/logrotate/**", ignore: true}
          - {path: "/var/lib/dhcp/**", ignore: true}
          - {path: "/var/lib/dhclient/**", ignore: true}
          - {path: "/var/lib/NetworkManager/**", ignore: true}
          - {path: "/var/lib/chrony/**", ignore: true}
          - {path: "/var/lib/ntp/**", ignore: true}
          - {path: "/var/lib/ntpdate/**", ignore: true}
          - {path: "/var/lib/rsyslog/**", ignore: true}
          - {path: "/var/lib/sudo/lectured/**", ignore: true}
          - {path: "/var/lib/cloud/**", ignore: true}
          - {path: "/var/lib/polkit-1/**", ignore: true}
          - {path: "/var/lib/upower/**", ignore: true}
          - {path: "/var/lib/PackageKit/**", ignore: true}
          - {path: "/var/lib/update-notifier/**", ignore: true}
          - {path: "/var/lib/ubuntu-release-upgrader/**", ignore: true}
          - {path: "/var/lib/man-db/**", ignore: true}
          - {path: "/var/backups/**", ignore: true}
          - {path: "/var/lib/driftcheck/reports/**", ignore: true}
          - {path: "/var/lib/driftcheck/baselines/**", ignore: true}
          # each host's own signing key, made at first boot like its ssh host keys
          - {path: "/etc/driftcheck/host.key", ignore: true}
          - {path: "/etc/driftcheck/host.pub", ignore: true}
          - {path: "/swapfile", ignore: true}
          # Package manager indexes and bookkeeping: reported through the package items, not as file lines.
          - {path: "/var/lib/apt/**", ignore: true}
          - {path: "/var/lib/dpkg/**", ignore: true}
          - {path: "/var/lib/rpm/**", ignore: true}
          - {path: "/usr/lib/sysimage/rpm/**", ignore: true}
          - {path: "/var/lib/dnf/**", ignore: true}
          - {path: "/var/lib/yum/**", ignore: true}
          - {path: "/lib/apk/db/**", ignore: true}
          - {path: "/etc/ld.so.cache", ignore: true}
          # Identity made at first boot: machine id, host keys, DHCP/cloud-init network settings.
          - {path: "/etc/machine-id", ignore: true}
          - {path: "/var/lib/dbus/machine-id", ignore: true}
          - {path: "/etc/ssh/ssh_host_*", ignore: true}
          - {path: "/etc/resolv.conf", ignore: true}
          - {path: "/etc/adjtime", ignore: true}
          - {path: "/etc/hostname", severity: low}
          - {path: "/etc/hosts", severity: low}
          - {path: "/etc/mtab", ignore: true}
          # Shell history and per-user caches.
          - {path: "/root/.bash_history", ignore: true}
          - {path: "/root/.zsh_history", ignore: true}
          - {path: "/root/.lesshst", ignore: true}
          - {path: "/root/.viminfo", ignore: true}
          - {path: "/root/.cache/**", ignore: true}
          - {path: "/root/.local/share/**", ignore: true}
          - {path: "/home/*/.bash_history", ignore: true}
          - {path: "/home/*/.zsh_history", ignore: true}
          - {path: "/home/*/.lesshst", ignore: true}
          - {path: "/home/*/.viminfo", ignore: true}
          - {path: "/home/*/.cache/**", ignore: true}
          - {path: "/home/*/.local/share/**", ignore: true}
          # The directories themselves: their metadata changes when anything below them does.
          - {path: "/root", watch: [type, mode, owner, group]}
          - {path: "/home/*", watch: [type, mode, owner, group]}
        allow:
          # Listening sockets most images open by design; add your services in your own policy.
          port: ["tcp/*:22", "udp/*:68", "udp/*:546", "udp/127.0.0.53:53", "tcp/127.0.0.53:53", \
        "udp/127.0.0.1:323", "udp/[0:0:0:0:0:0:0:1]:323"]
          # Kernel modules are loaded by hardware and by the services an image runs: allowed unless you narrow this.
          module: ["*"]
        rebuild:
          on: high
          max_age_days: 0
          when_superseded: true
        full_rehash:
          # driftcheck check reuses unchanged files' hashes; it rehashes everything this often regardless.
          every_runs: 24
          every_days: 7
        """

    /// The default policy, parsed once, on first use.
    package static let policy: Policy = {
        do {
            return try parse()
        } catch {
            // The text is part of the binary; the test "the built-in policy parses" fails before this can ship.
            fatalError("the built-in default policy does not parse: \(error)")
        }
    }()

    /// Parses ``text``: every rule's origin is "default".
    package static func parse() throws(DriftCheckError) -> Policy {
        var policy = try PolicyParser.parse(text, path: "default").policy
        for index in policy.rules.indices { policy.rules[index].origin = "default" }
        policy.sources = ["built-in default"]
        return policy
    }
}
