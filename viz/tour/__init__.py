"""The lecture tour: the CNN case-studies lecture step by step (issue 16).

``steps`` holds the steps as data (``STEPS``, in the lecture's order), ``live`` each step's
live view (the Explorer's and the labs' own functions), ``links`` the links to the full
pages, ``view`` a step as the page lays it out. No Streamlit here.
"""
