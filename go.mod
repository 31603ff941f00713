module github.com/warroomhq/warroom

go 1.26.8
