#!/usr/bin/env bash
# A throwaway CA and certificates for trying real mode's mutual TLS on loopback:
#   scripts/tls-certs.sh DIR [NAME...]      (default names: node client)
# writes DIR/ca.pem and, per NAME, DIR/NAME.pem + DIR/NAME.key signed by the CA, each valid for
# 127.0.0.1 and localhost, as server and as client, for 2 days. The CA's key is deleted once it
# has signed: nothing else can be signed by it. Never commit what this writes.
set -euo pipefail
dir=${1:?usage: scripts/tls-certs.sh DIR [NAME...]}
shift
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(node client)
command -v openssl >/dev/null || { echo "tls-certs.sh: needs openssl (apt-get install openssl)" >&2; exit 2; }
mkdir -p "$dir"
umask 077
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${ec[@]}" -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 2 \
  -subj "/CN=raftsim throwaway CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' \
  >"$dir/ext.cnf"
for name in "${names[@]}"; do
  openssl req "${ec[@]}" -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$name" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -out "$dir/$name.pem" -days 2 -extfile "$dir/ext.cnf" 2>/dev/null
  rm -f "$dir/$name.csr"
done
rm -f "$dir/ca.key" "$dir/ca.srl" "$dir/ext.cnf"
chmod 644 "$dir"/*.pem
