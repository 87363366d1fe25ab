"""Small mask layers written here to show the kit checking layers other than CenterZero."""
