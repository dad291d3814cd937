/// The built-in policy: works out of the box on Debian/Ubuntu and RHEL-family hosts by ignoring (or downgrading) the
/// state every running host changes by itself, so that what remains is drift someone caused.
package enum DefaultPolicy {
    package static let text = """
        # driftcheck built-in default policy (driftcheck policy show prints the effective policy)
        version: 1
        rules:
          # Kernel and runtime filesystems; scratch space holds data, never programs: a new executable there is
          # reported (data: true), and no rule hides a setuid, setgid or capability bit anywhere.
          - {path: "/proc/**", ignore: true}
          - {path: "/sys/**", ignore: true}
          - {path: "/dev/**", ignore: true}
          - {path: "/run/**", ignore: true, data: true}
          - {path: "/tmp/**", ignore: true, data: true}
          - {path: "/var/tmp/**", ignore: true, data: true}
          - {path: "/lost+found", ignore: true}
          # Logs, caches, spools and state that running services write.
          - {path: "/var/log/**", ignore: true, data: true}
          - {path: "/var/cache/**", ignore: true, data: true}
          - {path: "/var/spool/postfix/**", ignore: true, data: true}
          - {path: "/var/spool/rsyslog/**", ignore: true, data: true}
          - {path: "/var/spool/anacron/**", ignore: true, data: true}
          - {path: "/var/lib/systemd/random-seed", quiets: [content, size], ignore: true}
          - {path: "/var/lib/systemd/timers/**", ignore: true, data: true}
          - {path: "/var/lib/systemd/timesync/**", ignore: true, data: true}
          - {path: "/var/lib/systemd/coredump/**", ignore: true, data: true}
          - {path: "/var/lib/systemd/pstore/**", ignore: true, data: true}
          - {path: "/var/lib/systemd/linger/**", ignore: true, data: true}
          - {path: "/var/lib/systemd/backlight/**", ignore: true, data: true}
          - {path: "/var/lib/systemd/rfkill/**", ignore: true, data: true}
          - {path: "/var/lib/systemd/catalog/**", ignore: true, data: true}
          - {path: "/var/lib/private/systemd/**", ignore: true, data: true}
          - {path: "/var/lib/logrotate/**", ignore: true, data: true}
          - {path: "/var/lib/dhcp/**", ignore: true, data: true}
          - {path: "/var/lib/dhclient/**", ignore: true, data: true}
          - {path: "/var/lib/NetworkManager/**", ignore: true, data: true}
          - {path: "/var/lib/chrony/**", ignore: true, data: true}
          - {path: "/var/lib/ntp/**", ignore: true, data: true}
          - {path: "/var/lib/ntpdate/**", ignore: true, data: true}
          - {path: "/var/lib/rsyslog/**", ignore: true, data: true}
          - {path: "/var/lib/sudo/lectured/**", ignore: true, data: true}
          - {path: "/var/lib/cloud/**", ignore: true}
          - {path: "/var/lib/polkit-1/**", ignore: true, data: true}
          - {path: "/var/lib/upower/**", ignore: true, data: true}
          - {path: "/var/lib/PackageKit/**", ignore: true, data: true}
          - {path: "/var/lib/update-notifier/**", ignore: true, data: true}
          - {path: "/var/lib/ubuntu-release-upgrader/**", ignore: true, data: true}
          - {path: "/var/lib/man-db/**", ignore: true, data: true}
          - {path: "/var/backups/**", ignore: true, data: true}
          - {path: "/var/lib/driftcheck/reports/**", ignore: true, data: true}
          - {path: "/var/lib/driftcheck/baselines/**", ignore: true, data: true}
          # Files each host writes for itself, quieted for their content only: a change of type, mode, owner,
          # group or capabilities keeps its severity. Each host's own signing key, made at first boot.
          - {path: "/etc/driftcheck/host.key", quiets: [content, size], ignore: true}
          - {path: "/etc/driftcheck/host.pub", quiets: [content, size], ignore: true}
          - {path: "/swapfile", quiets: [content, size], ignore: true}
          # Package manager indexes and bookkeeping: reported through the package items, not as file lines.
          - {path: "/var/lib/apt/**", ignore: true, data: true}
          - {path: "/var/lib/dpkg/**", ignore: true}
          - {path: "/var/lib/rpm/**", ignore: true}
          - {path: "/usr/lib/sysimage/rpm/**", ignore: true}
          - {path: "/var/lib/dnf/**", ignore: true}
          - {path: "/var/lib/yum/**", ignore: true}
          - {path: "/lib/apk/db/**", ignore: true}
          - {path: "/etc/ld.so.cache", quiets: [content, size], ignore: true}
          # First boot: machine id, host keys, host name, DHCP/cloud-init network settings, systemd-update-done's
          # stamps. Content only, as above.
          - {path: "/etc/machine-id", quiets: [content, size], ignore: true}
          - {path: "/var/lib/dbus/machine-id", quiets: [content, size, target], ignore: true}
          - {path: "/etc/ssh/ssh_host_*", quiets: [content, size], ignore: true}
          - {path: "/etc/resolv.conf", quiets: [content, size, target], ignore: true}
          - {path: "/etc/adjtime", quiets: [content, size], ignore: true}
          - {path: "/etc/hostname", quiets: [content, size], ignore: true}
          - {path: "/etc/hosts", quiets: [content, size], ignore: true}
          - {path: "/etc/mailname", quiets: [content, size], ignore: true}
          - {path: "/etc/mtab", quiets: [content, size, target], ignore: true}
          - {path: "/etc/.updated", quiets: [content, size], ignore: true}
          - {path: "/var/.updated", quiets: [content, size], ignore: true}
          # the lock file the shadow tools leave behind at their first run
          - {path: "/etc/.pwd.lock", quiets: [content, size], ignore: true}
          # Shell history and per-user caches.
          - {path: "/root/.bash_history", quiets: [content, size], ignore: true}
          - {path: "/root/.zsh_history", quiets: [content, size], ignore: true}
          - {path: "/root/.lesshst", quiets: [content, size], ignore: true}
          - {path: "/root/.viminfo", quiets: [content, size], ignore: true}
          - {path: "/root/.cache/**", ignore: true, data: true}
          - {path: "/root/.local/share/**", ignore: true}
          - {path: "/home/*/.bash_history", quiets: [content, size], ignore: true}
          - {path: "/home/*/.zsh_history", quiets: [content, size], ignore: true}
          - {path: "/home/*/.lesshst", quiets: [content, size], ignore: true}
          - {path: "/home/*/.viminfo", quiets: [content, size], ignore: true}
          - {path: "/home/*/.cache/**", ignore: true, data: true}
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
