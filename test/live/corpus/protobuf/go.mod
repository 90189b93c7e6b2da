// Deprecated: Use the "google.golang.org/protobuf" module instead.
module github.com/golang/protobuf

go 1.17

require (
	github.com/google/go-cmp v0.5.5
	google.golang.org/protobuf v1.33.0
)
