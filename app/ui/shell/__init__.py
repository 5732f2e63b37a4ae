"""The application shell: starting the GUI, the main window, its menus and the demo marker."""
