print("pvdify")
