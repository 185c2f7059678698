"""Screen and print stylesheets; a package only so an installed `edition` can find them."""
