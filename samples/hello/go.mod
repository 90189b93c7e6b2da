module example.com/hello

go 1.21

require (
	example.com/Upper/Mod v1.0.0
	example.com/greeting v1.1.0
)
