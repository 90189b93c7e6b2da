# Sourced by .ci/run before npm test: a machine whose Go settings would break
# any test that leans on the machine's own. Every test must set what it
# depends on (GOPROXY, GOSUMDB, GOFLAGS, GOTOOLCHAIN, GOENV, proxies, .netrc);
# these values point everywhere else. The go env file is the one `go env -w`
# writes (found through XDG_CONFIG_HOME, as the go command finds it).
hostile_dir=$(mktemp -d)
mkdir -p "$hostile_dir/config/go"
cat >"$hostile_dir/config/go/env" <<'ENVFILE'
GOPROXY=https://goenv-file.invalid/proxy,direct
GOSUMDB=sum.golang.org
GOFLAGS=-mod=vendor
GONOSUMDB=*
GOTOOLCHAIN=go1.27.3
GOVULNDB=https://goenv-file.invalid/vulndb
ENVFILE
printf 'machine 127.0.0.1 login hostile password hostile\ndefault login hostile password hostile\n' >"$hostile_dir/netrc"
export XDG_CONFIG_HOME="$hostile_dir/config"
unset GOENV
export GOPROXY='https://hostile.invalid/proxy|direct'
export GOSUMDB='sum.golang.org'
export GOFLAGS='-mod=vendor -modcacherw'
export GONOSUMDB='*' GOPRIVATE='example.com' GONOPROXY='*' GOINSECURE='*'
export GOTOOLCHAIN='go1.27.3'
export GOVULNDB='https://hostile.invalid/vulndb'
export GO111MODULE='off'
export GOAUTH='off'
export GOPATH="$hostile_dir/gopath" GOMODCACHE="$hostile_dir/gomodcache"
export HTTPS_PROXY='http://127.0.0.1:9' HTTP_PROXY='http://127.0.0.1:9' https_proxy='http://127.0.0.1:9' http_proxy='http://127.0.0.1:9' NO_PROXY='' no_proxy=''
export NETRC="$hostile_dir/netrc"
export GOBUNDLE_CACHE="$hostile_dir/gobundle-cache"
export NPM_CONFIG_UPDATE_NOTIFIER=false
