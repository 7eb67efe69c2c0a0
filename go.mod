module github.com/dualpool/dualpool

go 1.24
