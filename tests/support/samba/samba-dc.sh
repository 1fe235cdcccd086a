#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A throwaway Samba AD domain controller for Sunset's LDAP tests, on loopback only.
#
#   samba-dc.sh start DIR   provision a fresh domain in DIR, extend the schema with the Exchange recipient
#                           attributes, seed it, start it (LDAP and the Kerberos KDC) and wait until
#                           ldaps://127.0.0.1:636 answers
#   samba-dc.sh stop DIR    stop that DC and remove DIR
#
# Everything lives in DIR: its own smb.conf, databases, TLS files, pid and log; /etc/samba is never read or
# written. Kerberos clients use DIR/krb5.conf (KRB5_CONFIG), never /etc/krb5.conf, and need no DNS and no
# /etc/hosts entry: the KDC is 127.0.0.1:88, and the DC's computer account also carries the service principal
# ldap/localhost, so a client that connects to ldaps://localhost asks for a ticket the DC accepts (as an
# admin would register an alias with setspn). For the DC's real SPN, ldap/sunsetdc.sunset.test, DIR/hosts maps
# that name to 127.0.0.1 for nss_wrapper (Debian's libnss-wrapper, Samba's own test tool): a test run with
# LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_HOSTS=DIR/hosts resolves it, nothing else on the machine does. The
# certificate names localhost, 127.0.0.1, this machine's
# host name (libldap checks a certificate for "localhost" against the local host name) and the DC's own names. On success DIR/env holds what the tests need, one KEY=VALUE a line (values may contain spaces).
# Needs root (ports 88/389/636) and Debian's samba, samba-ad-dc, samba-ad-provision, ldap-utils and openssl.
set -euo pipefail

readonly REALM=SUNSET.TEST
readonly DOMAIN=SUNSET
readonly BASE_DN="DC=sunset,DC=test"
readonly DC_HOST=sunsetdc
readonly DC_FQDN=$DC_HOST.sunset.test
readonly MAILBOXES=${SUNSET_TEST_MAILBOXES:-1100} # bulk remote mailboxes; > 1,000 so that paging is real
# 1: seed in ldb's batch mode (no sub-transaction per object; any failure fails the whole seed), as provision and
# join do. Without it each added object copies the growing index lists: minutes for 20,000 mailboxes.
readonly SEED_BATCH_MODE=${SUNSET_SEED_BATCH_MODE:-0}
readonly START_TIMEOUT=${SUNSET_SAMBA_START_TIMEOUT:-60}
# tdb (Samba's default) or mdb. Only the LMDB store answers a range filter such as (uSNChanged>=N) from an index
# (ldb's ordered index needs the store's range iteration, which its TDB store lacks): with tdb every such search
# reads every object.
readonly BACKEND_STORE=${SUNSET_SAMBA_BACKEND_STORE:-tdb}
# A leftover DC (a killed test run) must not live forever: samba ends itself after this many seconds.
readonly MAX_RUNTIME=${SUNSET_SAMBA_MAX_RUNTIME:-3600}
readonly HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly PYTHON=/usr/bin/python3 # Debian's, which has Samba's bindings (not a pyenv one)

die() { echo "samba-dc: $*" >&2; exit 1; }
now() { date +%s%N; }
elapsed() { # since a now() -> seconds with one decimal
  local ms=$((($(now) - $1) / 1000000))
  printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
command=$1
dir=${2%/}
case "$dir" in
/*) ;;
*) dir="$PWD/$dir" ;;
esac

port_in_use() { # port -> prints the listener, status 0 if one exists
  ss -Hltnp "( sport = :$1 )" 2>/dev/null | grep -q . && ss -Hltnp "( sport = :$1 )"
}

# Our samba processes: those whose standard output is this DIR's samba.stdout. (Samba rewrites its command
# line to "samba: root process", so the -s argument cannot identify it.)
our_samba_pids() {
  local fd pid target
  for fd in /proc/[0-9]*/fd/1; do
    target=$(readlink "$fd" 2>/dev/null) || continue
    case "$target" in
    "$dir/samba.stdout" | "$dir/samba.stdout (deleted)")
      pid=${fd#/proc/}
      echo "${pid%%/*}"
      ;;
    esac
  done
}

stop_dc() {
  local pids
  pids=$(our_samba_pids)
  [ -n "$pids" ] || return 0
  # setsid made the first one a process-group leader: signal the group, then any stragglers.
  local leader
  leader=$(cat "$dir/samba.pid" 2>/dev/null || true)
  if [ -n "$leader" ] && grep -qx -- "$leader" <<<"$pids"; then
    kill -TERM -- "-$leader" 2>/dev/null || true
  fi
  kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 1 50); do
    pids=$(our_samba_pids)
    [ -n "$pids" ] || return 0
    sleep 0.1
  done
  kill -KILL $pids 2>/dev/null || true
  sleep 0.2
}

case "$command" in
stop)
  stop_dc
  rm -rf -- "$dir"
  exit 0
  ;;
start) ;;
*) usage ;;
esac

[ "$(id -u)" -eq 0 ] || die "must run as root: Samba's LDAP server and KDC bind to ports 88, 389 and 636"
for tool in samba samba-tool ldapsearch openssl ss setsid; do
  command -v "$tool" >/dev/null || die "$tool is missing; run scripts/install-deps.sh"
done
[ -f /usr/share/samba/setup/ad-schema/AD_DS_Attributes__Windows_Server_2012_R2.ldf ] ||
  die "samba-ad-provision is missing (provisioning needs its schema files); run scripts/install-deps.sh"

# A DC left over from an interrupted run of this same DIR goes first; anything else on our ports is a conflict.
[ -d "$dir" ] && stop_dc
rm -rf -- "$dir"
for port in 88 389 636; do
  if listener=$(port_in_use $port); then
    die "port $port is already in use, so the test DC cannot start. Listener: $listener"
  fi
done

started=$(now)
mkdir -p "$dir"
mkdir -p "$dir/tls" "$dir/run"
password='Sunset-Test-Pa55!'
printf '%s' "$password" >"$dir/admin.password"
chmod 600 "$dir/admin.password"

# 1. Provision. An empty config file keeps samba-tool from merging /etc/samba/smb.conf into ours.
: >"$dir/empty.conf"
if ! samba-tool domain provision -s "$dir/empty.conf" --targetdir="$dir" \
  --realm="$REALM" --domain="$DOMAIN" --server-role=dc --dns-backend=NONE \
  --adminpass="$password" --host-name=$DC_HOST --backend-store="$BACKEND_STORE" \
  --option="interfaces=lo" --option="bind interfaces only=yes" >"$dir/provision.log" 2>&1; then
  tail -n 30 "$dir/provision.log" >&2
  die "samba-tool domain provision failed (log above, full log in $dir/provision.log)"
fi
t_provision=$(elapsed "$started")

# 2. TLS: a throwaway CA and a server certificate for localhost/127.0.0.1 (Samba's self-made one names the host,
# which a verifying client on loopback rejects) and the DC's own names, plus an unrelated CA for the negative
# tests.
(
  cd "$dir/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -keyout ca.key -out ca.pem \
    -subj "/CN=Sunset Test CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
  san="DNS:localhost,IP:127.0.0.1,DNS:$DC_FQDN,DNS:$DC_HOST"
  for name in $(hostname) $(hostname -f 2>/dev/null); do
    case ",$san," in *",DNS:$name,"*) ;; *) san="$san,DNS:$name" ;; esac
  done
  printf '%s\n' "subjectAltName=$san" "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >server.ext
  openssl x509 -req -sha256 -days 2 -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -extfile server.ext -out server.pem 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -keyout other-ca.key -out other-ca.pem \
    -subj "/CN=Some Other CA" 2>/dev/null
  chmod 600 ./*.key # Samba refuses a key file that others can read
) || die "openssl could not make the test certificates"

# 3. Our own smb.conf: only what this DC needs, everything under DIR.
netbios=$(sed -n 's/^\s*netbios name = //p' "$dir/etc/smb.conf")
cat >"$dir/etc/smb.conf" <<EOF
# Written by tests/support/samba/samba-dc.sh for the Sunset test domain. Loopback only.
[global]
	netbios name = $netbios
	realm = $REALM
	workgroup = $DOMAIN
	server role = active directory domain controller
	interfaces = lo
	bind interfaces only = yes
	server services = ldap kdc
	dsdb:schema update allowed = true
	# As AD: Kerberos (SASL) binds over TLS without a signing or sealing layer of their own; simple binds
	# still need TLS.
	ldap server require strong auth = allow_sasl_over_tls
	tls enabled = yes
	tls keyfile = $dir/tls/server.key
	tls certfile = $dir/tls/server.pem
	tls cafile = $dir/tls/ca.pem
	private dir = $dir/private
	state directory = $dir/state
	cache directory = $dir/cache
	lock directory = $dir
	pid directory = $dir/run
	ncalrpc dir = $dir/run/ncalrpc
	binddns dir = $dir/bind-dns
	winbindd socket directory = $dir/run/winbindd
	log file = $dir/samba.log
	max log size = 0
	log level = 1
EOF

# 4. Schema and seed, offline (before the DC starts, in one transaction each): the Exchange recipient
# attributes and the Exchange organization's classes, then the test objects and the Exchange organization. seed.ldif is kept in DIR so that a failing test can be reproduced.
sed "s/\${SCHEMADN}/CN=Schema,CN=Configuration,$BASE_DN/g" "$HERE/exchange-schema.ldif" >"$dir/exchange-schema.ldif"
# The Exchange organization's classes and objects (servers, Autodiscover SCP, hybrid configuration, the Cloud Sync
# agent's gMSA) for the decommission checks.
sed "s/\${SCHEMADN}/CN=Schema,CN=Configuration,$BASE_DN/g" "$HERE/exchange-classes.ldif" >"$dir/exchange-classes.ldif"
sed -e "s/\${CONFIGDN}/CN=Configuration,$BASE_DN/g" -e "s/\${BASEDN}/$BASE_DN/g" \
  "$HERE/exchange-organization.ldif" >"$dir/exchange-organization.ldif"
"$PYTHON" "$HERE/make-seed-ldif.py" "$BASE_DN" "$MAILBOXES" >"$dir/seed.ldif"
if ! "$PYTHON" - "$dir" "$DC_HOST" "$BASE_DN" "$SEED_BATCH_MODE" "$DC_FQDN" >"$dir/seed.log" 2>&1 <<'EOF'; then
import sys
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB

target = sys.argv[1]
lp = LoadParm()
lp.load(f"{target}/etc/smb.conf")

def open_db(options=None):
    return SamDB(url=f"{target}/private/sam.ldb", session_info=system_session(), lp=lp, options=options)

schema = open(f"{target}/exchange-schema.ldif", encoding="utf-8").read()
additions, _, modifications = schema.partition("\n# The attributes become optional")
db = open_db()
db.transaction_start()
db.add_ldif(additions)
db.transaction_commit()
db.modify_ldif(modifications.split("\n", 1)[1])
db.set_schema_update_now()
db.transaction_start()
db.add_ldif(open(f"{target}/exchange-classes.ldif", encoding="utf-8").read())
db.transaction_commit()
db.set_schema_update_now()
del db

db = open_db(["batch_mode:1"] if sys.argv[4] == "1" else None) # reopened, so that it knows the new attributes
db.transaction_start()
db.add_ldif(open(f"{target}/seed.ldif", encoding="utf-8").read())
# The DC's own LDAP SPN, which every AD DC carries (provision writes only the HOST/ ones; samba_spnupdate, which adds
# the rest, runs with the DNS service this DC does not start), and the alias SPN for Kerberos on loopback (see the
# top of this script).
db.modify_ldif(f"dn: CN={sys.argv[2].upper()},OU=Domain Controllers,{sys.argv[3]}\nchangetype: modify\n"
               f"add: servicePrincipalName\nservicePrincipalName: ldap/{sys.argv[5]}\n"
               "servicePrincipalName: ldap/localhost\n")
db.add_ldif(open(f"{target}/exchange-organization.ldif", encoding="utf-8").read())
db.transaction_commit()
EOF
  tail -n 30 "$dir/seed.log" >&2
  die "extending the schema or seeding the test objects failed (log above)"
fi
t_seeded=$(elapsed "$started")

# Kerberos clients of the tests: KRB5_CONFIG=DIR/krb5.conf. No DNS look-ups and no canonicalization, so the
# service principal is ldap/<the host name the client connected to>, exactly.
cat >"$dir/krb5.conf" <<EOF
[libdefaults]
	default_realm = $REALM
	dns_lookup_realm = false
	dns_lookup_kdc = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1
[realms]
	$REALM = {
		kdc = 127.0.0.1:88
	}
[domain_realm]
	.sunset.test = $REALM
	sunset.test = $REALM
	localhost = $REALM
EOF

# The DC's names on loopback, for nss_wrapper only (see the top of this script); /etc/hosts stays as it is.
# No comment line: nss_wrapper refuses the whole file for one.
echo "127.0.0.1 $DC_FQDN $DC_HOST" >"$dir/hosts"

# 5. Start. Not -i: interactive samba ends when its standard input closes, and ours is /dev/null so that the
# test runner does not wait on samba's output. setsid gives it a process group that stop can signal whole.
setsid samba -F -M single -s "$dir/etc/smb.conf" --maximum-runtime="$MAX_RUNTIME" \
  </dev/null >"$dir/samba.stdout" 2>&1 &
echo $! >"$dir/samba.pid"

deadline=$(($(date +%s) + START_TIMEOUT))
until LDAPTLS_CACERT="$dir/tls/ca.pem" LDAPTLS_REQCERT=hard \
  ldapsearch -x -H ldaps://127.0.0.1:636 -b "" -s base -o nettimeout=2 -l 2 defaultNamingContext \
  >/dev/null 2>&1; do
  if ! kill -0 "$(cat "$dir/samba.pid")" 2>/dev/null; then
    tail -n 40 "$dir/samba.stdout" "$dir/samba.log" 2>/dev/null >&2
    die "samba exited during start-up (log above, in $dir)"
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    tail -n 40 "$dir/samba.stdout" "$dir/samba.log" 2>/dev/null >&2
    stop_dc
    die "ldaps://127.0.0.1:636 did not answer within ${START_TIMEOUT}s (samba log above, in $dir)"
  fi
  sleep 0.2
done
t_started=$(elapsed "$started")

cat >"$dir/env" <<EOF
SUNSET_TEST_LDAPS_URI=ldaps://127.0.0.1:636
SUNSET_TEST_LDAP_URI=ldap://127.0.0.1:389
SUNSET_TEST_CA_FILE=$dir/tls/ca.pem
SUNSET_TEST_OTHER_CA_FILE=$dir/tls/other-ca.pem
SUNSET_TEST_BIND_UPN=Administrator@sunset.test
SUNSET_TEST_BIND_DN=CN=Administrator,CN=Users,$BASE_DN
SUNSET_TEST_PASSWORD_FILE=$dir/admin.password
SUNSET_TEST_BASE_DN=$BASE_DN
SUNSET_TEST_MAILBOX_OU=OU=Remote Mailboxes,$BASE_DN
SUNSET_TEST_MAILBOXES=$((MAILBOXES + 6))
SUNSET_TEST_SEED_LDIF=$dir/seed.ldif
SUNSET_TEST_REALM=$REALM
SUNSET_TEST_KRB5_CONFIG=$dir/krb5.conf
SUNSET_TEST_KERBEROS_PRINCIPAL=Administrator@$REALM
SUNSET_TEST_KERBEROS_URI=ldaps://localhost:636
SUNSET_TEST_DC_HOSTNAME=$DC_FQDN
SUNSET_TEST_NSS_WRAPPER_HOSTS=$dir/hosts
EOF
echo "samba-dc: test domain $REALM ready at ldaps://127.0.0.1:636 in $(elapsed "$started") s" \
  "(provisioned ${t_provision} s, schema and $((MAILBOXES + 9)) objects seeded ${t_seeded} s, listening ${t_started} s); DIR=$dir"
