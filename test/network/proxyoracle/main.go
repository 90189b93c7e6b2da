// Command proxyoracle prints, for each URL argument, the proxy the go
// command would use for it: net/http's ProxyFromEnvironment (the
// golang.org/x/net/http/httpproxy rules) over this process's environment.
// One line per URL: "DIRECT", "ERROR <message>", or
// "<scheme>://<host>:<port>" with " user=<name>" when the proxy URL has
// user information.
package main

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
)

var defaultPorts = map[string]string{"http": "80", "https": "443", "socks5": "1080"}

func main() {
	for _, arg := range os.Args[1:] {
		u, err := url.Parse(arg)
		if err != nil {
			fmt.Printf("ERROR %v\n", err)
			continue
		}
		p, err := http.ProxyFromEnvironment(&http.Request{URL: u})
		switch {
		case err != nil:
			fmt.Printf("ERROR %v\n", err)
		case p == nil:
			fmt.Println("DIRECT")
		default:
			port := p.Port()
			if port == "" {
				port = defaultPorts[p.Scheme]
			}
			line := fmt.Sprintf("%s://%s", p.Scheme, net.JoinHostPort(p.Hostname(), port))
			if p.User != nil {
				line += " user=" + p.User.Username()
			}
			fmt.Println(line)
		}
	}
}
