module gobundle.test/proxyoracle

go 1.21
