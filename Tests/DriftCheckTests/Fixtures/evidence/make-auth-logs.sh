#!/bin/bash
# Feeds the scenario to a real rsyslogd whose clock is moved by libfaketime.
set -eu
W=/tmp/evw; SOCK=$W/srv/dev/log; FT=$W/rs/ft
at() {  # at 'YYYY-MM-DD HH:MM:SS': (re)start rsyslogd with its clock offset so that its reception time is inside that second
  local target now base
  target=$(date -u -d "$1" +%s)
  [ -n "${RS:-}" ] && { kill $RS; wait $RS || true; }
  while :; do now=$(date +%s.%N); [ "${now#*.}" -lt 100000000 ] && break; sleep 0.01; done
  base=${now%.*}
  off=$(( target - base - 1 )); [ $off -ge 0 ] && off="+$off"
  FAKETIME="${off}s" DONT_FAKE_MONOTONIC=1 \
    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 \
    rsyslogd -n -f $W/rs/rsyslog.conf -i $W/rs/rsyslogd.pid &
  RS=$!
  while [ "$(date +%s)" -le "$base" ]; do sleep 0.01; done   # real second base+1 == faked second target
}
log() { logger -u "$SOCK" --socket-errors=on "$@"; sleep 0.08; }   # log -t tag --id=pid -p fac.prio msg
chroot_sudo() {  # run real sudo as admin on a fresh devpts instance (first pty = pts/0), hostname web-01
  unshare -m -u -- sh -c "
    hostname web-01
    mount -t proc proc $W/srv/proc
    mount -t devpts -o newinstance,ptmxmode=0666 devpts $W/srv/dev/pts
    chroot --userspec=admin:admin $W/srv /bin/sh -c 'cd /home/admin && HOME=/home/admin USER=admin LOGNAME=admin printf \":q!\r\" | script -qec \"$1\" /dev/null' >/dev/null 2>&1 || true"
  sleep 0.3
}
RS=

at '2026-11-27 08:00:00'
log -t login --id=612 -p authpriv.info 'pam_unix(login:session): session opened for user root(uid=0) by LOGIN(uid=0)'
log -t systemd-logind --id=412 -p auth.info 'New session 1 of user root.'
log -t login --id=612 -p auth.notice "ROOT LOGIN  on '/dev/tty1'"
at '2026-11-27 08:05:00'
log -t login --id=612 -p authpriv.info 'pam_unix(login:session): session closed for user root'
log -t systemd-logind --id=412 -p auth.info 'Session 1 logged out. Waiting for processes to exit.'
log -t systemd-logind --id=412 -p auth.info 'Removed session 1.'
for i in 1 2 3; do
  pid=110$i; port=$((40000 + 2*(i-1)))
  at "2026-11-28 09:58:0$i"
  log -t sshd --id=$pid -p auth.info "Invalid user oracle from 203.0.113.9 port $port"
  log -t sshd --id=$pid -p authpriv.notice 'pam_unix(sshd:auth): check pass; user unknown'
  log -t sshd --id=$pid -p authpriv.notice 'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9'
  log -t sshd --id=$pid -p auth.info "Failed password for invalid user oracle from 203.0.113.9 port $port ssh2"
  log -t sshd --id=$pid -p auth.info "Connection closed by invalid user oracle 203.0.113.9 port $port [preauth]"
done
at '2026-11-28 10:00:05'
log -t sshd --id=1234 -p auth.info 'Accepted publickey for admin from 10.0.0.5 port 52344 ssh2: ED25519 SHA256:2ZJv3mR8kq0bW7cXnYpQe5tLhVdA1sGfU9oKzIjHxMw'
log -t sshd --id=1234 -p authpriv.info 'pam_unix(sshd:session): session opened for user admin(uid=1000) by (uid=0)'
log -t systemd-logind --id=412 -p auth.info 'New session 3 of user admin.'
at '2026-11-28 10:02:11'
chroot_sudo 'sudo vi /etc/ssh/sshd_config'
at '2026-11-28 10:05:30'
chroot_sudo 'sudo apt-get install tcpdump'
at '2026-11-28 10:31:40'
log -t sshd --id=1239 -p auth.info 'Received disconnect from 10.0.0.5 port 52344:11: disconnected by user'
log -t sshd --id=1239 -p auth.info 'Disconnected from user admin 10.0.0.5 port 52344'
log -t sshd --id=1234 -p authpriv.info 'pam_unix(sshd:session): session closed for user admin'
log -t systemd-logind --id=412 -p auth.info 'Session 3 logged out. Waiting for processes to exit.'
log -t systemd-logind --id=412 -p auth.info 'Removed session 3.'
at '2026-11-28 11:00:00'
log -t sshd --id=1301 -p auth.info 'Accepted password for deploy from 2001:db8::7 port 50022 ssh2'
log -t sshd --id=1301 -p authpriv.info 'pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)'
log -t systemd-logind --id=412 -p auth.info 'New session 4 of user deploy.'
sleep 1; kill $RS; wait $RS || true
