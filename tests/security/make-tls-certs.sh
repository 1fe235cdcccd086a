#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Throwaway certificates for TestTlsFailures, in DIR: a test CA (ca.pem), and server certificates it signed:
#   good.pem     names localhost and 127.0.0.1, valid now (the control: it must connect)
#   wronghost.pem names only wrong-host.invalid, valid now
#   expired.pem  names localhost and 127.0.0.1, valid only on 1 January 2020
# and an unrelated CA's certificate for localhost (unknownca.pem). Keys beside them (*.key).
set -euo pipefail
dir=${1:?dir}
cd "$dir"
req() { openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null; }
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -keyout ca.key -out ca.pem -subj "/CN=Sunset TLS test CA" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -keyout other-ca.key -out other-ca.pem \
  -subj "/CN=Some other CA" 2>/dev/null
cat > ca.cnf <<'CNF'
[ca]
default_ca = test
[test]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = anything
unique_subject = no
[anything]
commonName = supplied
[localhost]
subjectAltName = DNS:localhost,IP:127.0.0.1
extendedKeyUsage = serverAuth
[wronghost]
subjectAltName = DNS:wrong-host.invalid
extendedKeyUsage = serverAuth
CNF
: > index.txt
echo 01 > serial
sign() { # name ca-cert ca-key extensions start end
  openssl ca -batch -notext -config ca.cnf -cert "$2" -keyfile "$3" -in "$1.csr" -out "$1.pem" -extensions "$4" \
    -startdate "$5" -enddate "$6" 2>/dev/null
}
now=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
later=$(date -u -d '+2 days' +%Y%m%d%H%M%SZ)
req good localhost && sign good ca.pem ca.key localhost "$now" "$later"
req wronghost wrong-host.invalid && sign wronghost ca.pem ca.key wronghost "$now" "$later"
req expired localhost && sign expired ca.pem ca.key localhost 20200101000000Z 20200102000000Z
req unknownca localhost && sign unknownca other-ca.pem other-ca.key localhost "$now" "$later"
