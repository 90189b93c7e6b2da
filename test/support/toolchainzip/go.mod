module gobundle.test/toolchainzip

go 1.21
